// Placeholder until the page lands.
import { h } from '../ui';
import type { PageContext } from '../page';

export function render(root: HTMLElement, _context: PageContext): undefined {
  root.append(h('h1', {}, 'generator'));
  return undefined;
}
