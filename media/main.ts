// The memory map webview's script (bundled by esbuild.js to dist/webview/main.js, an IIFE, with
// its CSS to main.css). It asks the extension for the snapshot (`ready`), draws it in four tabs
// (objects, virtual addresses, physical frames, slab caches) under a timeline, and steps through
// the run by asking for deltas (`step`), never whole snapshots. Every message is typed by
// src/protocol/memoryMap.ts.
//
// View state (step, tab, selection, scroll) is kept with `vscode.setState`, so it survives hiding
// the panel and, with the extension's serializer, a window reload.
//
// While the panel follows the debugger, a snapshot comes with the stop (`debug`) and the objects
// the current line touches (`highlight`): the header names the stop, those cards are marked, and
// the timeline's controls are disabled (the debugger's stepping sets the step).

import type {
  FromMemmapView, MemmapDebugStop, MemmapDelta, MemmapEvent, MemmapObject, MemmapSnapshot, MemmapTab, MemmapViewState, ToMemmapView,
} from '../src/protocol/memoryMap';
import { append, h } from './dom';
import { MemmapModel } from './model';
import { ObjectsView } from './objects';
import { physicalView, slabsView, virtualView } from './spaces';
import './memoryMap.css';

interface VsCodeApi {
  postMessage(msg: FromMemmapView): void;
  getState(): MemmapViewState | undefined;
  setState(state: MemmapViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const TABS: readonly { id: MemmapTab; label: string }[] = [
  { id: 'objects', label: 'Objects' },
  { id: 'virtual', label: 'Virtual address space' },
  { id: 'physical', label: 'Physical memory' },
  { id: 'slabs', label: 'Slab caches' },
];
/** Milliseconds per step while playing. */
const PLAY_INTERVAL = 400;

class MemoryMapApp {
  private model: MemmapModel | undefined;
  private state: MemmapViewState;
  private readonly objects = new ObjectsView({
    reveal: (o, which) => o[which] && vscode.postMessage({ type: 'reveal', range: o[which]! }),
    gotoFinding: (seq) => this.goto(this.model?.indexOfSeq(seq) ?? 0),
    select: (id) => this.select(id),
  });
  /** A step asked for and not answered yet, and the one to ask next (the latest wins). */
  private pending: number | undefined;
  private queued: number | undefined;
  private playing: ReturnType<typeof setInterval> | undefined;
  private readonly root = document.getElementById('app')!;
  private slider: HTMLInputElement | undefined;
  private stepLabel: HTMLElement | undefined;
  private panel: HTMLElement | undefined;
  /** The debugger stop shown, while following the debugger. */
  private debugStop: MemmapDebugStop | undefined;

  constructor() {
    this.state = vscode.getState() ?? { tab: 'objects' };
    window.addEventListener('message', (ev: MessageEvent<ToMemmapView>) => this.onMessage(ev.data));
    document.addEventListener('keydown', (ev) => this.onKey(ev));
    vscode.postMessage({ type: 'ready', state: this.state });
  }

  private onMessage(msg: ToMemmapView): void {
    if (msg.type === 'snapshot') this.showSnapshot(msg.snapshot, msg.debug, msg.highlight ?? []);
    else if (msg.type === 'delta') this.onDelta(msg.delta);
  }

  private showSnapshot(snapshot: MemmapSnapshot | undefined, debug: MemmapDebugStop | undefined, highlight: readonly number[]): void {
    this.stop();
    this.pending = this.queued = undefined;
    this.debugStop = debug;
    this.objects.highlight = new Set(highlight);
    if (!snapshot) {
      this.model = undefined;
      this.root.replaceChildren(h('p', { className: 'empty', attrs: { id: 'empty' } }, 'No module is loaded: run ', h('b', {}, 'Kernel Module Lab: Load Module'), ' first.'));
      return;
    }
    this.model = new MemmapModel(snapshot);
    this.save({ at: snapshot.at === snapshot.last ? undefined : snapshot.at });
    this.root.replaceChildren(this.header(snapshot), this.timeline(), this.tabs());
    this.renderStep();
  }

  /** A delta arrived: apply it if it starts at the step shown (a newer snapshot may have replaced it), then ask for the queued step. */
  private onDelta(delta: MemmapDelta): void {
    if (!this.model) return;
    this.pending = undefined;
    if (this.model.apply(delta)) {
      this.save({ at: this.model.at === this.model.snapshot.last ? undefined : this.model.at });
      this.renderStep();
    }
    const next = this.queued;
    this.queued = undefined;
    if (next !== undefined) this.requestStep(next);
  }

  // ---- layout ---------------------------------------------------------------------------------------

  private header(s: MemmapSnapshot): HTMLElement {
    return h(
      'header',
      { className: 'top' },
      h('h1', {}, `Memory map of ${s.module}`),
      h('span', { className: `badge ${s.unloaded ? 'leaked' : 'live'}` }, s.unloaded ? 'unloaded' : 'loaded'),
      s.truncated && h('span', { className: 'badge', attrs: { title: 'The run was too long to keep every step' } }, 'timeline truncated'),
      this.debugStop &&
        h(
          'span',
          { className: 'badge debug', attrs: { id: 'debug-stop', role: 'status', title: 'The map follows the debugger: memory as it is at the current stop' } },
          `Debugger: step ${this.debugStop.tick}${this.debugStop.line !== undefined ? `, line ${this.debugStop.line}` : ''}`,
        ),
    );
  }

  private timeline(): HTMLElement {
    const events = this.model!.events;
    // Following the debugger, its stepping sets the step: the controls are shown but disabled.
    const disabled = this.debugStop !== undefined;
    const button = (id: string, label: string, text: string, onClick: () => void) =>
      h('button', { className: 'step-button', attrs: { id, 'aria-label': label, title: disabled ? 'Step with the debugger' : label, disabled }, onClick }, text);
    this.slider = h('input', {
      attrs: { id: 'timeline-slider', type: 'range', min: 0, max: Math.max(0, events.length - 1), step: 1, 'aria-label': 'Timeline: step of the run', disabled },
    });
    this.slider.addEventListener('input', () => this.goto(Number(this.slider!.value)));
    this.stepLabel = h('div', { className: 'step-label', attrs: { id: 'timeline-label', 'aria-live': 'polite' } });
    return h(
      'section',
      { className: 'timeline', attrs: { 'aria-label': 'Timeline' } },
      h(
        'div',
        { className: 'timeline-controls' },
        button('step-first', 'First step', '«', () => this.goto(0)),
        button('step-back', 'Step back', '‹', () => this.goto(this.index() - 1)),
        button('play', 'Play the run', '▶', () => this.togglePlay()),
        button('step-forward', 'Step forward', '›', () => this.goto(this.index() + 1)),
        button('step-last', 'Last step', '»', () => this.goto(events.length - 1)),
        this.slider,
      ),
      this.stepLabel,
    );
  }

  private tabs(): HTMLElement {
    const list = h('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Memory map views' } });
    for (const t of TABS) {
      const selected = this.state.tab === t.id;
      const tab = h('button', {
        className: 'tab',
        attrs: { role: 'tab', id: `tab-${t.id}`, 'aria-selected': String(selected), 'aria-controls': 'tab-panel', tabindex: selected ? 0 : -1 },
        onClick: () => this.setTab(t.id),
      }, t.label);
      tab.addEventListener('keydown', (ev) => {
        if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
        const i = TABS.findIndex((x) => x.id === this.state.tab);
        const next = TABS[(i + (ev.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
        this.setTab(next.id);
        document.getElementById(`tab-${next.id}`)?.focus();
        ev.stopPropagation();
      });
      list.appendChild(tab);
    }
    this.panel = h('div', { className: 'tab-panel', attrs: { id: 'tab-panel', role: 'tabpanel', 'aria-labelledby': `tab-${this.state.tab}` } });
    return h('div', { className: 'views' }, list, this.panel);
  }

  private setTab(tab: MemmapTab): void {
    this.save({ tab });
    for (const t of TABS) {
      const el = document.getElementById(`tab-${t.id}`);
      el?.setAttribute('aria-selected', String(t.id === tab));
      el?.setAttribute('tabindex', t.id === tab ? '0' : '-1');
    }
    this.panel?.setAttribute('aria-labelledby', `tab-${tab}`);
    this.renderPanel();
  }

  /** Re-render what depends on the step: the label, the slider and the tab shown. */
  private renderStep(): void {
    const m = this.model!;
    const i = m.stepIndex;
    const e: MemmapEvent | undefined = m.events[i];
    if (this.slider) this.slider.value = String(i);
    this.stepLabel?.replaceChildren();
    if (this.stepLabel) append(this.stepLabel, [
      h('span', { className: 'step-count' }, `step ${i + 1} of ${m.events.length}`),
      e && h('span', { className: `kind k-${e.kind}` }, e.kind),
      e && h('span', { className: 'event-label' }, e.label),
      e?.range && !e.range.virtual && h('button', { className: 'link', onClick: () => vscode.postMessage({ type: 'reveal', range: e.range! }) }, `${e.range.file}:${e.range.start.line}`),
      h('span', { className: 'muted', attrs: { id: 'object-count' } }, ` · ${m.objects.filter((o) => o.state !== 'freed').length} live objects`),
    ]);
    this.renderPanel();
  }

  private renderPanel(): void {
    const m = this.model;
    if (!m || !this.panel) return;
    switch (this.state.tab) {
      case 'objects':
        if (this.panel.firstChild !== this.objects.element) this.panel.replaceChildren(this.objects.element);
        this.objects.selected = this.state.selected;
        this.objects.show(m);
        if (this.state.scrollTop !== undefined) this.objects.element.scrollTop = this.state.scrollTop;
        this.objects.element.onscroll = () => this.save({ scrollTop: this.objects.element.scrollTop });
        return;
      case 'virtual':
        this.panel.replaceChildren(virtualView(m));
        return;
      case 'physical':
        this.panel.replaceChildren(physicalView(m));
        return;
      case 'slabs':
        this.panel.replaceChildren(slabsView(m));
        return;
    }
  }

  // ---- stepping -----------------------------------------------------------------------------------

  private index(): number {
    return this.model?.stepIndex ?? 0;
  }

  /** Show the event at index `i` (clamped), and its line in the editor. */
  private goto(i: number): void {
    const m = this.model;
    // Following the debugger, the debug worker has the run, not the kernel worker the steps come from.
    if (!m || m.events.length === 0 || this.debugStop) return;
    const e = m.events[Math.max(0, Math.min(m.events.length - 1, i))];
    if (e.range && !e.range.virtual) vscode.postMessage({ type: 'reveal', range: e.range });
    this.requestStep(e.seq);
  }

  private requestStep(seq: number): void {
    const m = this.model!;
    if (this.pending !== undefined) {
      this.queued = seq;
      return;
    }
    if (seq === m.at) return;
    this.pending = seq;
    vscode.postMessage({ type: 'step', from: m.at, to: seq });
  }

  private togglePlay(): void {
    if (this.playing) {
      this.stop();
      return;
    }
    if (this.index() >= (this.model?.events.length ?? 0) - 1) this.goto(0);
    document.getElementById('play')?.setAttribute('aria-label', 'Pause');
    this.playing = setInterval(() => {
      const m = this.model;
      if (!m || this.index() >= m.events.length - 1) this.stop();
      else if (this.pending === undefined) this.goto(this.index() + 1);
    }, PLAY_INTERVAL);
  }

  private stop(): void {
    if (this.playing) clearInterval(this.playing);
    this.playing = undefined;
    document.getElementById('play')?.setAttribute('aria-label', 'Play the run');
  }

  private onKey(ev: KeyboardEvent): void {
    const target = ev.target as HTMLElement | null;
    if (this.debugStop || (target && (target.tagName === 'INPUT' || target.getAttribute('role') === 'tab'))) return;
    if (ev.key === '[' || (ev.key === 'ArrowLeft' && ev.altKey)) this.goto(this.index() - 1);
    else if (ev.key === ']' || (ev.key === 'ArrowRight' && ev.altKey)) this.goto(this.index() + 1);
    else return;
    ev.preventDefault();
  }

  private select(id: number): void {
    this.save({ selected: id });
    this.objects.selected = id;
    this.objects.render();
    const o: MemmapObject | undefined = this.model?.object(id);
    if (o?.site) vscode.postMessage({ type: 'reveal', range: o.site });
  }

  private save(patch: Partial<MemmapViewState>): void {
    this.state = { ...this.state, ...patch };
    vscode.setState(this.state);
  }
}

new MemoryMapApp();
