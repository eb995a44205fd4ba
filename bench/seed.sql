-- Deterministic benchmark dataset, loaded after `rapport migrate` (so the
-- tables are exactly Rapport's own): one workspace, one ADMIN member, one
-- pipeline with three stages, and
--   1,000 companies x 10 contacts x 5 deals x 3 tickets
-- = 1,000 companies, 10,000 contacts, 50,000 deals (each linked to its
--   contact through deal_contact), 150,000 tickets (each on its deal).
-- Ids are md5 hashes of a counter, so every run produces the same rows.
-- Every id is a UUID derived from md5(<kind>-<counter>).
\set ON_ERROR_STOP on
BEGIN;

INSERT INTO workspace (id, name, ticket_seq, event_seq, created_at, updated_at)
VALUES (md5('workspace')::uuid, 'Bench', 150000, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO member (id, workspace_id, email, name, role, title, commission_bps,
                    password_hash, deactivated_at, invitation_hash, invitation_expires_at,
                    created_at, updated_at)
VALUES (md5('member')::uuid, md5('workspace')::uuid, 'bench@rapport.test', 'Bench Admin', 'ADMIN',
        NULL, 0, NULL, NULL, NULL, NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO pipeline (id, workspace_id, name, position, version, deleted_at, created_at, updated_at)
VALUES (md5('pipeline')::uuid, md5('workspace')::uuid, 'Sales', 0, 1, NULL,
        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

INSERT INTO stage (id, workspace_id, pipeline_id, name, position, win_probability, kind,
                   version, deleted_at, created_at, updated_at)
SELECT md5('stage-' || s)::uuid, md5('workspace')::uuid, md5('pipeline')::uuid,
       (ARRAY['Qualified', 'Proposal', 'Negotiation'])[s], s - 1, s * 25, 'OPEN',
       1, NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
FROM generate_series(1, 3) AS s;

INSERT INTO company (id, workspace_id, version, deleted_at, created_at, updated_at, name, domain,
                     industry, employee_count, annual_revenue_e4, annual_revenue_currency,
                     city, country, owner_id)
SELECT md5('company-' || c)::uuid, md5('workspace')::uuid, 1, NULL,
       timestamptz '2026-01-01T00:00:00Z' + c * interval '1 second',
       timestamptz '2026-01-01T00:00:00Z' + c * interval '1 second',
       'Company ' || lpad(c::text, 4, '0'), 'company' || c || '.example',
       (ARRAY['Software', 'Retail', 'Energy', 'Health'])[1 + c % 4], 10 + c % 990,
       (c % 97) * 1000000 * 10000::bigint, 'EUR', 'Berlin', 'DE', md5('member')::uuid
FROM generate_series(1, 1000) AS c;

INSERT INTO contact (id, workspace_id, version, deleted_at, created_at, updated_at, company_id,
                     first_name, last_name, email, phone, job_title, lifecycle_stage, city,
                     country, birthdate, owner_id)
SELECT md5('contact-' || c || '-' || j)::uuid, md5('workspace')::uuid, 1, NULL,
       timestamptz '2026-01-01T00:00:00Z' + (c * 10 + j) * interval '1 second',
       timestamptz '2026-01-01T00:00:00Z' + (c * 10 + j) * interval '1 second',
       md5('company-' || c)::uuid, 'First' || j, 'Last' || c,
       'c' || c || '.' || j || '@bench.test', NULL, 'Buyer', 'LEAD', 'Berlin', 'DE', NULL,
       md5('member')::uuid
FROM generate_series(1, 1000) AS c, generate_series(1, 10) AS j;

INSERT INTO deal (id, workspace_id, version, deleted_at, created_at, updated_at, name, amount_e4,
                  currency, pipeline_id, stage_id, company_id, owner_id, expected_close_date,
                  status, closed_at, close_reason, stage_entered_at)
SELECT md5('deal-' || c || '-' || j || '-' || k)::uuid, md5('workspace')::uuid, 1, NULL,
       timestamptz '2026-01-01T00:00:00Z' + ((c * 10 + j) * 5 + k) * interval '1 second',
       timestamptz '2026-01-01T00:00:00Z' + ((c * 10 + j) * 5 + k) * interval '1 second',
       'Deal ' || c || '-' || j || '-' || k, (1000 + (c * 7 + j * 3 + k) % 9000) * 10000::bigint,
       'EUR', md5('pipeline')::uuid, md5('stage-' || (1 + (c + j + k) % 3))::uuid,
       md5('company-' || c)::uuid, md5('member')::uuid, NULL, 'OPEN', NULL, NULL,
       timestamptz '2026-01-01T00:00:00Z' + ((c * 10 + j) * 5 + k) * interval '1 second'
FROM generate_series(1, 1000) AS c, generate_series(1, 10) AS j, generate_series(1, 5) AS k;

INSERT INTO deal_contact (id, workspace_id, created_at, updated_at, deal_id, contact_id, role)
SELECT md5('deal_contact-' || c || '-' || j || '-' || k)::uuid, md5('workspace')::uuid,
       '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',
       md5('deal-' || c || '-' || j || '-' || k)::uuid, md5('contact-' || c || '-' || j)::uuid,
       'DECISION_MAKER'
FROM generate_series(1, 1000) AS c, generate_series(1, 10) AS j, generate_series(1, 5) AS k;

-- Every deal's stage history starts with its creation (as Rapport records it).
INSERT INTO deal_stage_change (id, workspace_id, created_at, updated_at, deal_id, from_stage_id,
                               to_stage_id, changed_by)
SELECT md5('deal_stage_change-' || c || '-' || j || '-' || k)::uuid, md5('workspace')::uuid,
       '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',
       md5('deal-' || c || '-' || j || '-' || k)::uuid, NULL,
       md5('stage-' || (1 + (c + j + k) % 3))::uuid, md5('member')::uuid
FROM generate_series(1, 1000) AS c, generate_series(1, 10) AS j, generate_series(1, 5) AS k;

INSERT INTO ticket (id, workspace_id, version, deleted_at, created_at, updated_at, number, subject,
                    description, status, priority, category, contact_id, company_id, deal_id,
                    assignee_id, opened_at, first_response_at, resolved_at, closed_at)
SELECT md5('ticket-' || c || '-' || j || '-' || k || '-' || l)::uuid, md5('workspace')::uuid, 1, NULL,
       timestamptz '2026-01-01T00:00:00Z' + n * interval '1 second',
       timestamptz '2026-01-01T00:00:00Z' + n * interval '1 second',
       n, 'Ticket ' || n, NULL, 'OPEN', (ARRAY['LOW', 'NORMAL', 'HIGH'])[l], NULL,
       md5('contact-' || c || '-' || j)::uuid, md5('company-' || c)::uuid,
       md5('deal-' || c || '-' || j || '-' || k)::uuid, NULL,
       timestamptz '2026-01-01T00:00:00Z' + n * interval '1 second', NULL, NULL, NULL
FROM (
    SELECT c, j, k, l, (((c - 1) * 10 + (j - 1)) * 5 + (k - 1)) * 3 + l AS n
    FROM generate_series(1, 1000) AS c, generate_series(1, 10) AS j,
         generate_series(1, 5) AS k, generate_series(1, 3) AS l
) AS numbered;

COMMIT;
