// A tiny element builder for the memory map webview. Strings always become text nodes (or
// attribute values), never HTML: whatever a module wrote into memory (`name = "<img onerror=…>"`)
// is shown as the characters it is. No innerHTML anywhere in media/.

export type Child = Node | string | number | false | null | undefined;

export interface Props {
  readonly className?: string;
  /** Attributes (aria-*, data-*, role, tabindex, title, type, …); undefined values are left out. */
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly onClick?: () => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  if (props.onClick) el.addEventListener('click', props.onClick);
  append(el, children);
  return el;
}

export function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string | number>> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

/** `n` bytes as the kernel would say it: `56 B`, `4 KiB`, `1.5 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / (1 << 20)).toFixed(1)} MiB`;
}

/** A theme color from VS Code's CSS variables, for canvas drawing (CSS uses the variables directly). */
export function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}
