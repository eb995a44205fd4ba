// Tiny DOM helpers: elements from a tag, attributes and children; text is
// always set as text, never parsed as HTML.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A money amount for people: 12 345 EUR, or 1.2M EUR. */
export function money(amount, currency = '') {
  const value = Number(amount ?? 0);
  const text = Math.abs(value) >= 1e6 ? `${(value / 1e6).toFixed(1)}M`
    : Math.abs(value) >= 1e4 ? `${Math.round(value / 1e3)}k`
      : Math.round(value).toLocaleString('en');
  return currency ? `${text} ${currency}` : text;
}

/** Shows a short message at the bottom of the screen for a few seconds. */
export function toast(message, kind = 'info') {
  const note = h('div', { class: `toast ${kind}`, role: 'status' }, message);
  document.body.append(note);
  setTimeout(() => note.remove(), 6000);
}
