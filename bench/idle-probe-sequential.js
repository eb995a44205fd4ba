// Like idle-probe.js in mode sub, one connection at a time (no burst): node bench/idle-probe-sequential.js URL TOKEN N
const WebSocket = require('/work/main/bench/peer/node_modules/ws');
const [url, token, n] = process.argv.slice(2);
const sockets = [];
function one() {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: token } })));
    ws.on('message', (m) => {
      if (JSON.parse(m).type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticketEvents { cursor ticket { subject } } }' } }));
        setTimeout(resolve, 2);
      }
    });
    sockets.push(ws);
  });
}
(async () => { for (let i = 0; i < +n; i++) await one(); console.log('READY'); setTimeout(() => process.exit(0), 60000); })();
