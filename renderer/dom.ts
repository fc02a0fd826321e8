/** Small builders for labelled controls: every control gets a label, a hint and an error slot. */

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
  /** Buttons that act on this field, shown on its line. */
  actions?: HTMLElement[];
}

export interface LabelledInput {
  wrapper: HTMLDivElement;
  input: HTMLInputElement;
}

export function textField(options: FieldOptions): LabelledInput {
  const id = uniqueId('field');
  const error = errorSlot(options.field);
  const hint = options.hint ? h('p', { class: 'hint', id: uniqueId('hint') }, options.hint) : null;
  const input = h('input', {
    id,
    type: options.type ?? 'text',
    'data-field': options.field,
    placeholder: options.placeholder,
    inputmode: options.numeric ? 'numeric' : undefined,
    spellcheck: 'false',
    autocomplete: 'off',
    class: options.numeric ? 'number' : undefined,
    'aria-describedby': [hint?.id, error.id].filter(Boolean).join(' '),
  });
  const control =
    options.unit || options.actions
      ? h(
          'div',
          { class: 'with-unit' },
          input,
          options.unit ? h('span', { class: 'unit' }, options.unit) : null,
          ...(options.actions ?? []),
        )
      : input;
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, options.label),
    control,
    hint,
    error,
  );
  return { wrapper, input };
}

export function checkboxField(options: {
  label: string;
  field: string;
  hint?: string;
  asSwitch?: boolean;
}): LabelledInput {
  const id = uniqueId('check');
  const error = errorSlot(options.field);
  const hint = options.hint ? h('p', { class: 'hint', id: uniqueId('hint') }, options.hint) : null;
  const input = h('input', {
    id,
    type: 'checkbox',
    role: options.asSwitch ? 'switch' : undefined,
    'data-field': options.field,
    'aria-describedby': [hint?.id, error.id].filter(Boolean).join(' '),
  });
  const wrapper = h(
    'div',
    { class: options.asSwitch ? 'field check switch' : 'field check' },
    input,
    h('label', { for: id }, options.label),
    hint,
    error,
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

export function section(id: string, title: string, intro: string): HTMLElement {
  const heading = h('h2', { id: `${id}-title` }, title);
  return h(
    'section',
    { id, class: 'panel', 'aria-labelledby': heading.id },
    heading,
    h('p', { class: 'intro' }, intro),
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
