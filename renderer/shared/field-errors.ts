/** Shows the schema's field errors beside their fields, and the rest in one list. */
import type { FieldError } from '../../core/settings/schema.js';

/** Clears every error slot in `root`, then fills the ones named; gives the errors with no slot. */
export function showFieldErrors(root: HTMLElement, errors: readonly FieldError[]): FieldError[] {
  for (const slot of root.querySelectorAll<HTMLElement>('[data-error-for]')) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const control of root.querySelectorAll<HTMLElement>('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
  }
  const unplaced: FieldError[] = [];
  for (const error of errors) {
    const slot = root.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(error.path)}"]`);
    if (!slot) {
      unplaced.push(error);
      continue;
    }
    slot.textContent = slot.textContent
      ? `${slot.textContent} ${capitalise(error.message)}.`
      : `${capitalise(error.message)}.`;
    slot.hidden = false;
    for (const control of root.querySelectorAll<HTMLElement>(
      `[data-field="${CSS.escape(error.path)}"]`,
    )) {
      control.setAttribute('aria-invalid', 'true');
    }
  }
  return unplaced;
}

export function showFieldWarnings(root: HTMLElement, warnings: ReadonlyMap<string, string>): void {
  for (const slot of root.querySelectorAll<HTMLElement>('[data-warning-for]')) {
    const message = warnings.get(slot.dataset.warningFor ?? '');
    slot.hidden = message === undefined;
    slot.textContent = message ?? '';
  }
}

function capitalise(message: string): string {
  const trimmed = message.replace(/\.$/, '');
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
