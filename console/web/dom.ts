/**
 * The only way the console puts anything on the page: elements made with createElement, and every
 * string set as a text node. Nothing here parses HTML, so an event's user agent or an account id
 * with markup in it shows as the characters it is.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  readonly class?: string;
  readonly id?: string;
  readonly title?: string;
  readonly href?: string;
  readonly type?: string;
  readonly value?: string;
  readonly placeholder?: string;
  readonly disabled?: boolean;
  readonly dataset?: Readonly<Record<string, string>>;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly onClick?: (event: MouseEvent) => void;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.id) node.id = props.id;
  if (props.title) node.title = props.title;
  if (props.href && node instanceof HTMLAnchorElement) node.href = props.href;
  if (props.type) node.setAttribute('type', props.type);
  if (props.value !== undefined && 'value' in node) (node as HTMLInputElement).value = props.value;
  if (props.placeholder && 'placeholder' in node) (node as HTMLInputElement).placeholder = props.placeholder;
  if (props.disabled && 'disabled' in node) (node as HTMLButtonElement).disabled = true;
  for (const [k, v] of Object.entries(props.dataset ?? {})) node.dataset[k] = v;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  const onClick = props.onClick;
  if (onClick) node.addEventListener('click', (event) => onClick(event as MouseEvent));
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
      typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child,
    );
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A table with a header row; every cell's content goes through append (text, never markup). */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly Child[]>,
  className = 'grid',
): HTMLTableElement {
  return el(
    'table',
    { class: className },
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((row) => el('tr', {}, ...row.map((cell) => el('td', {}, cell))))),
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return el('section', { class: 'panel' }, el('h2', {}, title), ...children);
}

export function badge(text: string, kind = text): HTMLSpanElement {
  return el('span', { class: `badge badge-${kind.toLowerCase().replace(/[^a-z0-9_-]/g, '')}` }, text);
}

export function fmtNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}
