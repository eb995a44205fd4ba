// Memory split for BENCHMARKS.md: node bench/idle-probe.js ws://127.0.0.1:PORT/graphql TOKEN N init|sub
// (start `rapport serve` first; read its VmRSS before and after).
// Opens N websockets to a local Rapport: mode "init" sends connection_init only,
// mode "sub" also subscribes to ticketEvents. Prints when all are ready, then idles.
const WebSocket = require('/work/main/bench/peer/node_modules/ws');
const [url, token, n, mode] = process.argv.slice(2);
let ready = 0; const sockets = [];
for (let i = 0; i < +n; i++) {
  const ws = new WebSocket(url, 'graphql-transport-ws');
  ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: token } })));
  ws.on('message', (m) => {
    const msg = JSON.parse(m);
    if (msg.type === 'connection_ack') {
      if (mode === 'sub') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticketEvents { cursor ticket { subject } } }' } }));
        setTimeout(() => { if (++ready === +n) console.log('READY'); }, 200);
      } else if (++ready === +n) console.log('READY');
    }
  });
  ws.on('error', (e) => { console.error('error', e.message); });
  sockets.push(ws);
}
setTimeout(() => process.exit(0), 60000);
