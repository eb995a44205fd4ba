-- What PostGraphile needs beyond Rapport's tables, loaded after the seed.
--
-- A mutation equivalent to Rapport's createTicket for the mutation and
-- fan-out workloads: it numbers the ticket from the workspace counter (as
-- Rapport does, taking the same row lock), inserts it and announces it with
-- NOTIFY, which @graphile/pg-pubsub relays to `listen(topic: "ticket_events")`
-- subscribers. Exposed by PostGraphile as `benchCreateTicket`. Rapport does
-- more in its transaction (an outbox event row, a history row, a publish to
-- Redis); the difference is reported in BENCHMARKS.md, not hidden.
\set ON_ERROR_STOP on
CREATE FUNCTION public.bench_create_ticket(subject text) RETURNS public.ticket
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    created public.ticket;
    n bigint;
BEGIN
    UPDATE public.workspace SET ticket_seq = ticket_seq + 1, updated_at = now()
    WHERE id = md5('workspace')::uuid
    RETURNING ticket_seq INTO n;
    INSERT INTO public.ticket (id, workspace_id, version, deleted_at, created_at, updated_at,
                               number, subject, status, priority, opened_at)
    VALUES (gen_random_uuid(), md5('workspace')::uuid, 1, NULL, now(), now(),
            n, bench_create_ticket.subject, 'OPEN', 'NORMAL', now())
    RETURNING * INTO created;
    PERFORM pg_notify('postgraphile:ticket_events',
                      json_build_object('__node__', json_build_array('tickets', created.id))::text);
    RETURN created;
END
$$;
