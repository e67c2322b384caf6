// The Objects view: one card per object of the module (its allocations and its globals), with the
// contents decoded by the C type, and pointers drawn as arrows to the cards they point into, so a
// `list_head` list shows as the ring it is. Cards sit in one column; an arrow to a card further
// down leaves on the right, one to a card above on the left, bulging into the gutter by distance.
//
// It stays smooth with 10,000 objects: every card's height is known from its field count, so the
// layout is a prefix sum, and only the cards in (or near) the viewport are in the DOM, with the
// arrows leaving them. Scrolling re-renders the window on the next animation frame.
//
// While the panel follows the debugger, the cards of the objects the current line touches are
// marked (`touched`: a border, a tag, and their accessible label says so).

import type { MemmapField, MemmapObject } from '../src/protocol/memoryMap';
import { formatBytes, h, svg } from './dom';
import type { MemmapModel } from './model';

const HEAD_H = 46;
const FIELD_H = 18;
const FINDINGS_H = 24;
const GAP = 12;
const PAD = 6;
/** Extra pixels rendered above and below the viewport. */
const OVERSCAN = 600;
const GUTTER = 72;

export interface ObjectsActions {
  reveal(o: MemmapObject, which: 'site' | 'freeSite'): void;
  gotoFinding(seq: number): void;
  select(id: number): void;
}

export class ObjectsView {
  readonly element: HTMLElement;
  private readonly inner: HTMLElement;
  private readonly arrows: SVGSVGElement;
  private tops: number[] = [];
  private heights: number[] = [];
  private indexOf = new Map<number, number>();
  private model: MemmapModel | undefined;
  private frame = 0;
  selected: number | undefined;
  /** Ids of the objects the debugger's current line touches. */
  highlight: ReadonlySet<number> = new Set();

  constructor(private readonly actions: ObjectsActions) {
    this.arrows = svg('svg', { class: 'arrows', 'aria-hidden': 'true' });
    const defs = svg('defs');
    const marker = svg('marker', { id: 'arrowhead', viewBox: '0 0 8 8', refX: '7', refY: '4', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrowhead' }));
    defs.appendChild(marker);
    this.arrows.appendChild(defs);
    this.inner = h('div', { className: 'objects-inner' });
    this.element = h('div', { className: 'objects', attrs: { role: 'list', 'aria-label': 'Objects of the module', tabindex: 0 } }, this.inner);
    this.element.addEventListener('scroll', () => this.schedule());
  }

  /** Lay out every card (heights from field counts) and render the visible window. */
  show(model: MemmapModel): void {
    this.model = model;
    const objects = model.objects;
    this.tops = new Array(objects.length);
    this.heights = new Array(objects.length);
    this.indexOf = new Map();
    let y = GAP;
    objects.forEach((o, i) => {
      this.indexOf.set(o.id, i);
      this.tops[i] = y;
      this.heights[i] = cardHeight(o);
      y += this.heights[i] + GAP;
    });
    this.inner.style.height = `${y}px`;
    this.render();
  }

  scrollToObject(id: number): void {
    const i = this.indexOf.get(id);
    if (i === undefined) return;
    this.element.scrollTop = Math.max(0, this.tops[i] - 40);
    this.render();
    (this.inner.querySelector(`[data-id="${id}"]`) as HTMLElement | null)?.focus();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Render the cards intersecting the viewport (± OVERSCAN) and their arrows. */
  render(): void {
    const model = this.model;
    if (!model) return;
    const top = this.element.scrollTop - OVERSCAN;
    const bottom = this.element.scrollTop + (this.element.clientHeight || 800) + OVERSCAN;
    const first = Math.max(0, upperBound(this.tops, top) - 1);
    this.inner.replaceChildren(this.arrows);
    while (this.arrows.childNodes.length > 1) this.arrows.lastChild!.remove();
    this.arrows.setAttribute('height', this.inner.style.height);
    for (let i = first; i < model.objects.length && this.tops[i] < bottom; i++) {
      const o = model.objects[i];
      this.inner.appendChild(this.card(o, i));
      this.drawArrows(o, i);
    }
  }

  private card(o: MemmapObject, i: number): HTMLElement {
    const title = o.name ? `${o.type ?? 'bytes'} ${o.name}` : (o.type ?? `${o.size} bytes`);
    const siteText = o.site ? `${o.site.file}:${o.site.start.line}` : undefined;
    const touched = this.highlight.has(o.id);
    const el = h(
      'article',
      {
        className: `card ${o.state}${o.id === this.selected ? ' selected' : ''}${touched ? ' touched' : ''}`,
        attrs: {
          role: 'listitem',
          tabindex: 0,
          'data-id': o.id,
          'data-family': o.family,
          'data-type': o.type,
          'data-holder': o.holder,
          'data-state': o.state,
          'data-pfns': o.pfns.join(' '),
          'aria-label': `${title}${o.state !== 'live' ? ` (${o.state})` : ''} at ${o.addr}, ${o.size} bytes in ${o.holder}${touched ? ', touched by the current line' : ''}`,
        },
        onClick: () => this.actions.select(o.id),
      },
      h(
        'div',
        { className: 'card-head' },
        h('span', { className: 'type' }, title),
        h('span', { className: 'holder' }, o.holder),
        o.state !== 'live' && h('span', { className: `badge ${o.state}` }, o.state),
        touched && h('span', { className: 'badge touched', attrs: { title: 'Touched by the current line' } }, 'current line'),
        h('span', { className: 'id' }, o.id > 0 ? `#${o.id}` : 'global'),
      ),
      h(
        'div',
        { className: 'card-meta' },
        h('span', { className: 'addr' }, o.addr),
        ` · ${formatBytes(o.size)}`,
        o.allocator && ' · ',
        o.allocator && h('span', { className: 'allocator' }, o.flags ? `${o.allocator}(${o.flags})` : o.allocator),
        siteText && ' · ',
        siteText && h('button', { className: 'link site', attrs: { title: 'Show the line in the editor' }, onClick: () => this.actions.reveal(o, 'site') }, siteText),
        o.freeSite && ' · freed at ',
        o.freeSite && h('button', { className: 'link site', onClick: () => this.actions.reveal(o, 'freeSite') }, `${o.freeSite.file}:${o.freeSite.start.line}`),
        o.pfns.length > 0 && ` · ${o.pfns.length === 1 ? 'frame' : 'frames'} ${pfnList(o.pfns)}`,
      ),
      h('div', { className: 'fields', attrs: { role: 'table', 'aria-label': `Fields of ${title}` } }, ...o.fields.map((f) => this.field(f))),
      o.findings.length > 0 &&
        h(
          'div',
          { className: 'findings' },
          ...o.findings.map((seq) => {
            const e = this.model?.events[this.model.indexOfSeq(seq) ?? -1];
            return h('button', { className: 'finding', attrs: { title: 'Go to the event where it happened' }, onClick: () => this.actions.gotoFinding(seq) }, `⚠ ${e?.label ?? 'finding'}`);
          }),
        ),
    );
    el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && ev.target === el) this.actions.select(o.id);
    });
    el.style.top = `${this.tops[i]}px`;
    el.style.height = `${this.heights[i]}px`;
    el.style.left = `${GUTTER}px`;
    el.style.right = `${GUTTER}px`;
    return el;
  }

  private field(f: MemmapField): HTMLElement {
    const target = f.target && this.model?.object(f.target.id);
    return h(
      'div',
      { className: `field${f.poison ? ' poisoned' : ''}`, attrs: { role: 'row', 'data-name': f.name } },
      h('span', { className: 'fname', attrs: { role: 'cell', title: f.type } }, f.name),
      h('span', { className: 'fvalue', attrs: { role: 'cell' } }, f.value),
      f.poison && h('span', { className: 'poison', attrs: { title: 'Poison the kernel wrote' } }, f.poison),
      target &&
        h(
          'button',
          { className: 'link ptr', attrs: { 'data-target': target.id, 'aria-label': `Go to the object ${f.name} points to` }, onClick: () => this.scrollToObject(target.id) },
          `→ ${target.name ?? (target.id > 0 ? `#${target.id}` : 'global')}${f.target!.field ? `.${f.target!.field}` : f.target!.offset ? `+${f.target!.offset}` : ''}`,
        ),
    );
  }

  /** Arrows from each pointer field of object `i` to the card it points into. */
  private drawArrows(o: MemmapObject, i: number): void {
    o.fields.forEach((f, k) => {
      const j = f.target ? this.indexOf.get(f.target.id) : undefined;
      if (j === undefined) return;
      const width = this.inner.clientWidth || 600;
      const y1 = this.tops[i] + PAD + HEAD_H + k * FIELD_H + FIELD_H / 2;
      const y2 = this.tops[j] + PAD + 10;
      const down = j > i;
      // Down on the right side, up (and to itself) on the left side.
      const x = down ? width - GUTTER : GUTTER;
      const bulge = Math.min(GUTTER - 8, 16 + Math.abs(j - i) * 10) * (down ? 1 : -1);
      const d = `M${x},${y1} C${x + bulge},${y1} ${x + bulge},${y2} ${x},${y2}`;
      const back = /prev$/.test(f.name);
      this.arrows.appendChild(svg('path', { d, class: `arrow${back ? ' back' : ''}`, 'marker-end': 'url(#arrowhead)' }));
    });
  }
}

function cardHeight(o: MemmapObject): number {
  return PAD * 2 + HEAD_H + o.fields.length * FIELD_H + (o.findings.length ? FINDINGS_H : 0);
}

function pfnList(pfns: readonly number[]): string {
  const shown = pfns.slice(0, 6).map((p) => `0x${p.toString(16)}`);
  return pfns.length > 6 ? `${shown.join(', ')} … (${pfns.length})` : shown.join(', ');
}

/** The first index whose value is > x (values ascending). */
function upperBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
