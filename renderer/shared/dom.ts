/**
 * Small builders for the windows' controls. Every control gets a label, an optional hint and an
 * error slot; controls sit in rows, and rows in the boxed lists of a group.
 */

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined>;

let counter = 0;

export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** A paragraph that shows the schema's complaint about one field; found by its field path. */
export function errorSlot(field: string): HTMLParagraphElement {
  return h('p', {
    class: 'field-error',
    id: uniqueId('error'),
    'data-error-for': field,
    hidden: true,
  });
}

/** A paragraph for a warning about one field (it does not stop saving). */
export function warningSlot(field: string): HTMLParagraphElement {
  return h('p', {
    class: 'field-warning',
    id: uniqueId('warning'),
    'data-warning-for': field,
    hidden: true,
  });
}

export interface FieldOptions {
  label: string;
  /** The profile path the schema reports errors under, e.g. `ssh.port`. */
  field: string;
  hint?: string;
  placeholder?: string;
  type?: 'text' | 'time';
  numeric?: boolean;
  /** A trailing word such as "hours", shown after the input. */
  unit?: string;
  /** Buttons that act on this field, shown beside it. */
  actions?: HTMLElement[];
  /**
   * `inline`: label on the left, a short input on the right (numbers, times); `stacked`: label
   * above a full-width input (paths, commands). Numbers and times are inline unless told.
   */
  layout?: 'inline' | 'stacked';
}

export interface LabelledInput {
  wrapper: HTMLDivElement;
  input: HTMLInputElement;
}

export function textField(options: FieldOptions): LabelledInput {
  const id = uniqueId('field');
  const error = errorSlot(options.field);
  const hint = hintFor(options.hint);
  const short = options.numeric === true || options.type === 'time';
  const layout = options.layout ?? (short ? 'inline' : 'stacked');
  const input = h('input', {
    id,
    type: options.type ?? 'text',
    'data-field': options.field,
    placeholder: options.placeholder,
    inputmode: options.numeric ? 'numeric' : undefined,
    spellcheck: 'false',
    autocomplete: 'off',
    class: short ? 'short' : undefined,
    'aria-describedby': describedBy(hint, error),
  });
  // An inline field without a unit keeps the unit's room, so the inputs of a list line up.
  const unit = options.unit
    ? h('span', { class: 'unit' }, options.unit)
    : layout === 'inline'
      ? h('span', { class: 'unit', 'aria-hidden': 'true' })
      : null;
  const control =
    unit || options.actions
      ? h('div', { class: 'control' }, input, unit, ...(options.actions ?? []))
      : input;
  const label = h('label', { for: id }, options.label);
  const wrapper =
    layout === 'inline'
      ? h(
          'div',
          { class: 'row field inline' },
          h('div', { class: 'row-text' }, label, hint),
          control,
          error,
        )
      : h('div', { class: 'row field stacked' }, label, control, hint, error);
  return { wrapper, input };
}

/** The one on/off control of every setting: a switch at the end of its row. */
export function toggleField(options: {
  label: string;
  field: string;
  hint?: string;
}): LabelledInput {
  const id = uniqueId('toggle');
  const error = errorSlot(options.field);
  const hint = hintFor(options.hint);
  const input = h('input', {
    id,
    type: 'checkbox',
    role: 'switch',
    class: 'switch',
    'data-field': options.field,
    'aria-describedby': describedBy(hint, error),
  });
  const text = h('div', { class: 'row-text' }, h('label', { for: id }, options.label), hint);
  // As in GNOME's and KDE's lists, the whole row flips the switch, not only its label.
  text.addEventListener('click', (event) => {
    if (!(event.target instanceof HTMLLabelElement)) input.click();
  });
  const wrapper = h('div', { class: 'row field toggle' }, text, input, error);
  return { wrapper, input };
}

/** A choice among a few, as a row with a radio button in front. */
export function radioRow(
  name: string,
  value: string,
  label: string,
  extra?: HTMLElement,
): { wrapper: HTMLDivElement; input: HTMLInputElement } {
  const id = uniqueId('radio');
  const input = h('input', { type: 'radio', name, value, id });
  const wrapper = h(
    'div',
    { class: 'row choice' },
    input,
    h('label', { for: id }, label),
    extra ?? null,
  );
  return { wrapper, input };
}

export function button(
  label: string,
  onClick: () => void,
  attributes: Attributes = {},
): HTMLButtonElement {
  const element = h('button', { type: 'button', ...attributes }, label);
  element.addEventListener('click', onClick);
  return element;
}

export interface GroupOptions {
  id?: string;
  title?: string;
  description?: string | Node;
}

/** A titled group of settings, as GNOME's and KDE's preference pages show them. */
export function group(options: GroupOptions, ...children: Child[]): HTMLElement {
  const heading = options.title
    ? h('h3', { class: 'group-title', id: uniqueId('group') }, options.title)
    : null;
  return h(
    'section',
    { class: 'group', id: options.id, 'aria-labelledby': heading?.id },
    heading,
    options.description ? h('p', { class: 'group-description' }, options.description) : null,
    ...children,
  );
}

/** The rounded box that holds a group's rows. */
export function list(...rows: Child[]): HTMLDivElement {
  return h('div', { class: 'list' }, ...rows);
}

/** A disclosure the user opens: closed until asked, like an expander row. */
export function disclosure(summary: string, ...children: Child[]): HTMLDetailsElement {
  return h(
    'details',
    { class: 'disclosure' },
    h('summary', {}, summary),
    h('div', { class: 'disclosure-body' }, ...children),
  );
}

/** A number as typed: digits become a number, anything else goes to the schema as typed. */
export function readNumber(input: HTMLInputElement, emptyIsNull = false): unknown {
  const text = input.value.trim();
  if (text === '') return emptyIsNull ? null : text;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

export function showNumber(input: HTMLInputElement, value: number | null): void {
  input.value = value === null ? '' : String(value);
}

function hintFor(text: string | undefined): HTMLParagraphElement | null {
  return text ? h('p', { class: 'hint', id: uniqueId('hint') }, text) : null;
}

function describedBy(...parts: (HTMLElement | null)[]): string {
  return parts
    .map((p) => p?.id)
    .filter(Boolean)
    .join(' ');
}
