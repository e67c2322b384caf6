// The address-space views of the memory map: the kernel's virtual regions with each object placed
// in its region, the physical page frames by zone colored by owner with lines from each vmalloc
// page to its frame, and the slab caches as /proc/slabinfo with each slab page as a grid of slots.
// Many marks (frames, objects) go to canvases; what a screen reader needs (regions, areas, caches)
// is also in tables with labels.

import type { MemmapObject, MemmapSnapshot } from '../src/protocol/memoryMap';
import { formatBytes, h, themeColor } from './dom';
import type { MemmapModel } from './model';

/** Bytes of address space shown around the objects of a region in its zoomed strip. */
const ZOOM_PAD = 0x2000;

// ---- virtual address space ---------------------------------------------------------------------

/**
 * One row per region: its size on a log scale (the direct map is 2^46 bytes, the module area 2^30:
 * a linear scale would hide the small ones), and a zoomed strip spanning just the region's objects,
 * on which each object is a mark at its address, to scale within the strip.
 */
export function virtualView(model: MemmapModel): HTMLElement {
  const snap = model.snapshot;
  const maxLog = Math.max(...snap.regions.map((r) => r.log2Size));
  const rows = snap.regions.map((r) => {
    const objects = model.objects.filter((o) => o.region === r.name);
    const stacks = r.name === 'vmalloc area' ? snap.vmAreas.filter((a) => a.kind === 'stack').length : 0;
    const scale = h('div', { className: 'region-scale', attrs: { 'aria-hidden': 'true' } });
    scale.style.width = `${Math.max(4, (100 * r.log2Size) / maxLog)}%`;
    return h(
      'div',
      { className: 'region', attrs: { role: 'group', 'aria-label': `${r.name}, ${objects.length} objects`, 'data-region': r.name } },
      h('div', { className: 'region-head' }, h('b', {}, r.name), ` ${r.start} – ${r.end} (2^${Math.round(r.log2Size)} bytes)`, stacks > 0 && ` · kernel stacks live here too`),
      scale,
      objects.length > 0 ? zoomStrip(objects) : h('div', { className: 'muted' }, 'no objects of the module here'),
    );
  });
  return h('div', { className: 'virtual' }, ...rows);
}

function zoomStrip(objects: readonly MemmapObject[]): HTMLElement {
  const addrs = objects.map((o) => BigInt(`0x${o.addr}`));
  const lo = addrs.reduce((a, b) => (b < a ? b : a)) - BigInt(ZOOM_PAD);
  const hi = addrs.reduce((a, b) => (b > a ? b : a)) + BigInt(ZOOM_PAD);
  const span = Number(hi - lo) || 1;
  const canvas = h('canvas', { className: 'strip', attrs: { width: 800, height: 28, role: 'img', 'aria-label': `${objects.length} objects between ${hex(lo)} and ${hex(hi)}` } });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const colors = { live: themeColor('--vscode-charts-blue', '#3794ff'), freed: themeColor('--vscode-disabledForeground', '#888'), leaked: themeColor('--vscode-charts-red', '#f14c4c') };
    objects.forEach((o, i) => {
      const x = (Number(addrs[i] - lo) / span) * 800;
      const w = Math.max(2, (o.size / span) * 800);
      ctx.fillStyle = colors[o.state];
      ctx.fillRect(x, 4, w, 20);
    });
  }
  return h('div', { className: 'strip-box' }, canvas, h('div', { className: 'strip-axis' }, h('span', {}, hex(lo)), h('span', {}, hex(hi))));
}

function hex(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

// ---- physical memory -----------------------------------------------------------------------------

const FRAME_COLS = 256;
const CELL = 3;
const VSTRIP_H = 46;

/** Colors of frame owners (theme variables, read when drawn). */
function ownerColors(): Record<string, string> {
  return {
    free: themeColor('--vscode-editorWidget-background', '#252526'),
    slab: themeColor('--vscode-charts-blue', '#3794ff'),
    kmalloc: themeColor('--vscode-charts-blue', '#3794ff'),
    vmalloc: themeColor('--vscode-charts-orange', '#d18616'),
    stack: themeColor('--vscode-charts-purple', '#b180d7'),
    module: themeColor('--vscode-charts-green', '#89d185'),
    pages: themeColor('--vscode-charts-yellow', '#cca700'),
    other: themeColor('--vscode-disabledForeground', '#6f6f6f'),
  };
}

/**
 * Every page frame as a cell (row-major, FRAME_COLS per row, zones in order), colored by owner; the
 * module's frames are outlined. Above the grid, the virtual pages of the module's vmalloc areas and
 * their neighbours, each joined by a line to its frame: adjacent virtual pages, scattered frames.
 */
export function physicalView(model: MemmapModel): HTMLElement {
  const snap = model.snapshot;
  const nFrames = snap.frames.reduce((n, r) => Math.max(n, r.start + r.count), 0);
  const rows = Math.ceil(nFrames / FRAME_COLS);
  const width = FRAME_COLS * CELL;
  const canvas = h('canvas', {
    className: 'frames',
    attrs: { width, height: VSTRIP_H + rows * CELL, role: 'img', 'aria-label': `${nFrames} page frames colored by owner; lines join vmalloc pages to their frames` },
  });
  const ctx = canvas.getContext('2d');
  if (ctx) drawFrames(ctx, snap, model.objects, nFrames);
  const colors = ownerColors();
  const legend = h(
    'div',
    { className: 'legend' },
    ...Object.entries(colors).map(([name, color]) => {
      const swatch = h('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } });
      swatch.style.background = color;
      return h('span', {}, swatch, name === 'other' ? 'kernel, boot, reserved' : name);
    }),
  );
  const zones = h('p', { className: 'muted' }, snap.zones.map((z) => `${z.name}: frames 0x${z.startPfn.toString(16)}–0x${z.endPfn.toString(16)}, ${z.free} free`).join(' · '));
  const areas = h(
    'table',
    { className: 'vm-areas', attrs: { 'aria-label': 'vmalloc areas of the module and their neighbours' } },
    h('thead', {}, h('tr', {}, h('th', {}, 'virtual address'), h('th', {}, 'kind'), h('th', {}, 'size'), h('th', {}, 'page frames'))),
    h(
      'tbody',
      {},
      ...snap.vmAreas.map((a) =>
        h(
          'tr',
          { className: `vm-area${a.objectId !== undefined ? ' mine' : ''}`, attrs: { 'data-addr': a.addr, 'data-pfns': a.pfns.join(' '), 'data-kind': a.kind } },
          h('td', {}, a.addr),
          h('td', {}, a.objectId !== undefined ? `${a.kind} (the module's #${a.objectId})` : a.kind),
          h('td', {}, `${formatBytes(a.size)} (guard page included)`),
          h('td', {}, a.pfns.map((p) => `0x${p.toString(16)}`).join(', ')),
        ),
      ),
    ),
  );
  return h('div', { className: 'physical' }, legend, zones, h('div', { className: 'frames-box' }, canvas), areas);
}

function drawFrames(ctx: CanvasRenderingContext2D, snap: MemmapSnapshot, objects: readonly MemmapObject[], nFrames: number): void {
  const colors = ownerColors();
  const cell = (pfn: number) => ({ x: (pfn % FRAME_COLS) * CELL, y: VSTRIP_H + Math.floor(pfn / FRAME_COLS) * CELL });
  for (const run of snap.frames) {
    ctx.fillStyle = colors[run.use] ?? colors.other;
    for (let p = run.start; p < run.start + run.count && p < nFrames; p++) {
      const c = cell(p);
      ctx.fillRect(c.x, c.y, CELL - (run.use === 'free' ? 1 : 0), CELL - (run.use === 'free' ? 1 : 0));
    }
  }
  // The module's frames, outlined.
  ctx.strokeStyle = themeColor('--vscode-charts-red', '#f14c4c');
  ctx.lineWidth = 1;
  for (const o of objects) {
    if (o.state === 'freed') continue;
    for (const p of o.pfns) {
      const c = cell(p);
      ctx.strokeRect(c.x - 1, c.y - 1, CELL + 2, CELL + 2);
    }
  }
  // Virtual pages of the vmalloc areas on the top strip, in address order, each joined to its frame.
  const pages = snap.vmAreas.flatMap((a) => [...a.pfns.map((pfn) => ({ pfn, mine: a.objectId !== undefined })), { pfn: -1, mine: false }]);
  const step = Math.min(24, (FRAME_COLS * CELL) / Math.max(1, pages.length));
  pages.forEach((pg, i) => {
    const x = i * step;
    ctx.fillStyle = pg.pfn < 0 ? colors.free : pg.mine ? colors.vmalloc : colors.stack;
    ctx.fillRect(x + 1, 2, step - 2, 10);
    if (pg.pfn < 0) return; // the guard page: no frame behind it
    const c = cell(pg.pfn);
    ctx.strokeStyle = pg.mine ? colors.vmalloc : colors.other;
    ctx.lineWidth = pg.mine ? 2 : 1;
    ctx.beginPath();
    ctx.moveTo(x + step / 2, 12);
    ctx.lineTo(c.x + CELL / 2, c.y);
    ctx.stroke();
  });
}

// ---- slab caches -------------------------------------------------------------------------------------

/** Slab pages drawn per cache at most (the table has the totals). */
const MAX_SLABS = 48;

/** /proc/slabinfo, and per cache of the module each slab page as a grid of slots (used, free, quarantined). */
export function slabsView(model: MemmapModel): HTMLElement {
  const snap = model.snapshot;
  const liveAddrs = model.objects.filter((o) => o.state !== 'freed').map((o) => ({ holder: o.holder, addr: BigInt(`0x${o.addr}`) }));
  const holders = new Set(model.objects.map((o) => o.holder));
  const table = h(
    'table',
    { className: 'slabinfo', attrs: { 'aria-label': 'Slab caches, as /proc/slabinfo' } },
    h('thead', {}, h('tr', {}, ...['name', 'active_objs', 'num_objs', 'objsize', 'slot', 'objperslab', 'pagesperslab', 'slabs'].map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      ...snap.caches.map((c) =>
        h(
          'tr',
          { className: holders.has(c.name) ? 'mine' : '' },
          ...[c.name, c.active, c.total, c.objectSize, c.slotSize, c.objectsPerSlab, c.pagesPerSlab, c.slabs.length].map((v) => h('td', {}, v)),
        ),
      ),
    ),
  );
  const grids = snap.caches
    .filter((c) => holders.has(c.name))
    .map((c) =>
      h(
        'section',
        { className: 'cache', attrs: { 'aria-label': `Slab pages of ${c.name}` } },
        h('h3', {}, `${c.name}: ${c.slabs.length} slab page(s), ${c.objectsPerSlab} slots of ${c.slotSize} bytes each`),
        ...c.slabs.slice(0, MAX_SLABS).map((s) => {
          const base = BigInt(`0x${s.addr}`);
          // With SLUB debugging an object starts after its slot's red zone: match by slot, not address.
          const own = new Set(
            liveAddrs.filter((o) => o.holder === c.name && o.addr >= base && o.addr < base + BigInt(c.slotSize * s.states.length)).map((o) => Number(o.addr - base) / c.slotSize | 0),
          );
          return h(
            'div',
            { className: 'slab', attrs: { 'aria-label': `slab page at ${s.addr}, frame 0x${s.pfn.toString(16)}` } },
            h('span', { className: 'slab-addr' }, `0x${s.pfn.toString(16)}`),
            ...Array.from(s.states, (st, i) =>
              h('span', {
                className: `slot s-${st === '.' ? 'never' : st}${own.has(i) ? ' own' : ''}`,
                attrs: { title: `slot ${i}: ${SLOT_STATES[st] ?? st}${own.has(i) ? ' (the module’s)' : ''}` },
              }),
            ),
          );
        }),
        c.slabs.length > MAX_SLABS && h('p', { className: 'muted' }, `… ${c.slabs.length - MAX_SLABS} more slab pages`),
      ),
    );
  return h('div', { className: 'slabs' }, table, ...grids);
}

const SLOT_STATES: Record<string, string> = { '.': 'never used', L: 'used', Q: 'quarantined (KASAN)', f: 'free' };
