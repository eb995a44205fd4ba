// The live board: sign in (email and password through `login`, or a pasted
// token), then three views of one workspace kept current over one
// websocket: the pipeline board, the ticket queue and the dashboard.
import { gql, session, disconnect, onConnectionState, ApiError } from './api.js';
import { h, toast } from './dom.js';
import { pipelineBoard, pipelines } from './pipeline.js';
import { ticketQueue } from './tickets.js';
import { dashboard } from './dashboard.js';

const app = document.getElementById('app');
const VIEWS = ['board', 'tickets', 'dashboard'];

function signInScreen(message) {
  const failure = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const form = h('form', {
    class: 'signin', id: 'signin',
    onsubmit: async (event) => {
      event.preventDefault();
      const fields = new FormData(event.target);
      try {
        const data = await gql('mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
          { email: fields.get('email'), password: fields.get('password') });
        session.token = data.login.token;
        start();
      } catch (error) {
        failure.textContent = error instanceof ApiError ? error.message : 'The server could not be reached.';
      }
    },
  },
  h('h2', {}, 'Sign in'),
  h('label', {}, 'Email', h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
  h('label', {}, 'Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  h('button', { type: 'submit' }, 'Sign in'));
  const paste = h('form', {
    class: 'signin', id: 'token',
    onsubmit: (event) => {
      event.preventDefault();
      session.token = new FormData(event.target).get('token').trim().replace(/^Bearer\s+/i, '');
      start();
    },
  },
  h('h2', {}, 'Or paste a token'),
  h('label', {}, 'API token', h('textarea', { name: 'token', rows: 3, required: true, spellcheck: 'false' })),
  h('button', { type: 'submit' }, 'Use token'));
  app.replaceChildren(h('main', { class: 'welcome' }, h('h1', {}, 'Rapport · Live board'), failure, form, paste));
}

function show(view) {
  for (const name of VIEWS) {
    document.getElementById(`view-${name}`)?.toggleAttribute('hidden', name !== view);
    document.querySelector(`nav a[data-view="${name}"]`)?.classList.toggle('current', name === view);
  }
}

async function start() {
  if (!session.token) return signInScreen();
  let me;
  let list;
  try {
    me = (await gql('{ me { name role } }')).me;
    list = await pipelines();
  } catch (error) {
    session.token = null;
    return signInScreen(error instanceof ApiError ? `Signed out: ${error.message}` : 'The server could not be reached.');
  }
  const state = h('span', { class: 'connection', 'data-state': 'connecting', role: 'status' }, 'connecting');
  onConnectionState((value) => { state.dataset.state = value; state.textContent = value; });
  const picker = h('select', { 'aria-label': 'Pipeline', class: 'pipeline-picker' }, list.map((p) => h('option', { value: p.id }, p.name)));
  const nav = h('nav', {}, VIEWS.map((name) => h('a', { href: `#${name}`, 'data-view': name }, name[0].toUpperCase() + name.slice(1))));
  const signOut = h('button', { class: 'quiet', onclick: () => { session.token = null; disconnect(); location.hash = ''; location.reload(); } }, 'Sign out');
  const boardView = h('section', { id: 'view-board', class: 'view' });
  const ticketsView = h('section', { id: 'view-tickets', class: 'view' });
  const dashboardView = h('section', { id: 'view-dashboard', class: 'view' });
  app.replaceChildren(
    h('header', { class: 'top' }, h('h1', {}, 'Rapport'), nav, h('div', { class: 'tools' }, picker, state, h('span', { class: 'who' }, me.name), signOut)),
    h('main', {}, boardView, ticketsView, dashboardView));

  let stops = [];
  async function open(pipelineId) {
    for (const stop of stops) stop();
    const charts = dashboard(dashboardView, pipelineId);
    let pending = null;
    // Bursts of deal events (a bulk move) redraw the charts once.
    const changed = () => { clearTimeout(pending); pending = setTimeout(charts.refresh, 400); };
    stops = [charts.stop, await pipelineBoard(boardView, pipelineId, changed)];
  }
  picker.addEventListener('change', () => open(picker.value));
  window.addEventListener('hashchange', () => show(location.hash.slice(1) || 'board'));
  show(location.hash.slice(1) || 'board');
  try {
    await open(picker.value);
  } catch (error) {
    toast(`Could not load the pipeline: ${error.message}`, 'error');
  }
  ticketQueue(ticketsView).catch((error) => ticketsView.replaceChildren(h('p', { class: 'error' }, `No tickets: ${error.message}`)));
}

start();
