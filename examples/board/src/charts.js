// SVG charts drawn by hand: vertical bars, horizontal bars, a line and a
// ring. Each takes plain numbers and returns an <svg> that scales to its
// container (viewBox), with a <title> per mark for hover details.
import { svg } from './dom.js';

const WIDTH = 320;
const HEIGHT = 180;

function empty(label) {
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart empty', role: 'img', 'aria-label': label },
    svg('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle' }, 'No data yet'));
}

// About how wide one character of an axis label (11px) is, in viewBox units.
const CHAR = 5.8;

/** An axis label that fits `width`: shortened with "…" when it does not, the whole text in its <title>. */
function axisLabel(text, width, attributes) {
  const fits = Math.max(Math.floor(width / CHAR), 3);
  const shown = text.length > fits ? `${text.slice(0, fits - 1)}…` : text;
  return svg('text', { ...attributes, class: 'axis', 'data-label': text }, svg('title', {}, text), shown);
}

/** Vertical bars: `points` is [{ label, value, title }]. */
export function bars(points, label) {
  if (!points.length) return empty(label);
  const max = Math.max(...points.map((p) => p.value), 1);
  const slot = WIDTH / points.length;
  const plot = HEIGHT - 24;
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-label': label },
    points.map((point, i) => {
      const height = Math.max((point.value / max) * (plot - 8), point.value > 0 ? 2 : 0);
      return svg('g', {},
        svg('rect', { class: 'bar', x: i * slot + slot * 0.15, y: plot - height, width: slot * 0.7, height, 'data-label': point.label, 'data-value': point.value },
          svg('title', {}, point.title ?? `${point.label}: ${point.value}`)),
        axisLabel(point.label, slot - 4, { x: i * slot + slot / 2, y: HEIGHT - 8, 'text-anchor': 'middle' }));
    }));
}

/** Horizontal bars with their labels and values written beside them. */
export function rows(points, label, format = String) {
  if (!points.length) return empty(label);
  const max = Math.max(...points.map((p) => p.value), 1);
  const line = 26;
  const height = points.length * line + 4;
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'chart', role: 'img', 'aria-label': label },
    points.map((point, i) => svg('g', {},
      axisLabel(point.label, 104, { x: 0, y: i * line + 17 }),
      svg('rect', { class: 'bar', x: 110, y: i * line + 5, height: 16, width: Math.max((point.value / max) * 150, point.value > 0 ? 2 : 0), 'data-label': point.label, 'data-value': point.value },
        svg('title', {}, `${point.label}: ${format(point.value)}`)),
      svg('text', { x: WIDTH, y: i * line + 17, 'text-anchor': 'end', class: 'value' }, format(point.value)))));
}

/** A line through `points` ([{ label, value }], value may be null), with a zero line when the range crosses it. */
export function line(points, label, { min = null, max = null } = {}) {
  const known = points.filter((p) => p.value !== null && p.value !== undefined);
  if (!known.length) return empty(label);
  const low = min ?? Math.min(0, ...known.map((p) => p.value));
  const high = max ?? Math.max(...known.map((p) => p.value), low + 1);
  const plot = HEIGHT - 24;
  const step = WIDTH / points.length;
  const x = (i) => i * step + step / 2;
  const y = (v) => 8 + (plot - 16) * (1 - (v - low) / (high - low || 1));
  const path = points.map((p, i) => (p.value === null || p.value === undefined ? null : `${x(i)},${y(p.value)}`)).filter(Boolean);
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-label': label },
    low < 0 && high > 0 ? svg('line', { class: 'zero', x1: 0, x2: WIDTH, y1: y(0), y2: y(0) }) : null,
    svg('polyline', { class: 'line', points: path.join(' '), fill: 'none' }),
    points.map((p, i) => svg('g', {},
      p.value === null || p.value === undefined ? null
        : svg('circle', { class: 'dot', cx: x(i), cy: y(p.value), r: 4, 'data-value': p.value }, svg('title', {}, `${p.label}: ${p.value}`)),
      svg('text', { x: x(i), y: HEIGHT - 8, 'text-anchor': 'middle', class: 'axis' }, p.label))));
}

/** A ring filled to `fraction` (0–1) with `caption` in the middle. */
export function ring(fraction, caption, label) {
  const radius = 52;
  const around = 2 * Math.PI * radius;
  const filled = Math.max(0, Math.min(1, fraction ?? 0)) * around;
  return svg('svg', { viewBox: '0 0 140 140', class: 'chart ring', role: 'img', 'aria-label': label },
    svg('circle', { cx: 70, cy: 70, r: radius, class: 'track', fill: 'none' }),
    svg('circle', { cx: 70, cy: 70, r: radius, class: 'fill', fill: 'none', 'stroke-dasharray': `${filled} ${around}`, transform: 'rotate(-90 70 70)', 'data-value': fraction ?? 0 }),
    svg('text', { x: 70, y: 78, 'text-anchor': 'middle', class: 'big' }, caption));
}
