// The graphql-http audit suite against a running server: prints every
// audit that is not ok; exits 1 on any MUST failure or SHOULD warning.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
import { serverAudits } from 'graphql-http';
const url = process.argv[2];
let fails = 0, warns = 0;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const r = await audit.fn();
  if (r.status !== 'ok') {
    console.log(r.status, audit.id, audit.name, r.reason, r.response ? r.response.status : '');
    if (audit.name.startsWith('MUST')) fails++; else if (audit.name.startsWith('SHOULD')) warns++;
  }
}
console.log(`MUST failures: ${fails}, SHOULD warnings: ${warns}`);
process.exit(fails + warns > 0 ? 1 : 0);
