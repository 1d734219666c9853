// A modal confirmation (the AWS console's "Delete application?" box) on the
// native <dialog>: Escape or Cancel answers false. Used by the apps and keys
// pages before anything that cannot be undone.
import './confirm.css';
import { h } from '../ui';

export interface ConfirmOptions {
  title: string;
  body: string;
  confirm: string; // the confirming button's label ("Delete", "Revoke")
  danger?: boolean;
}

export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const ok = h(
      'button',
      { class: options.danger === false ? 'primary' : 'primary danger-fill', value: 'confirm', 'data-testid': 'confirm-ok' },
      options.confirm,
    );
    const cancel = h('button', { value: 'cancel', 'data-testid': 'confirm-cancel' }, 'Cancel');
    const dialog = h(
      'dialog',
      { class: 'confirm-dialog card', 'data-testid': 'confirm-dialog', 'aria-labelledby': 'confirm-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, options.title),
        h('p', {}, options.body),
        h('div', { class: 'confirm-actions' }, cancel, ok),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
