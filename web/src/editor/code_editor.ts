// A code editor for SQL without a dependency: a <textarea> with transparent
// text over a <pre> that draws the same text highlighted (same font, padding
// and scroll), a line-number gutter, Tab indenting, Ctrl/Cmd+Enter to run,
// completion in a popup, and an error marker on a line. The SQL page and the
// streaming apps' editor use it.
//
// Keys: Ctrl/Cmd+Enter runs; Ctrl+Space opens completion; in the popup ↑/↓
// choose, Enter/Tab accept, Esc closes. Tab indents (Shift+Tab outdents);
// press Esc first to move focus out with Tab instead.
import './code_editor.css';
import { completionEdit, matchCompletions, wordAt, worthShowing, type Completion, type WordAt } from './completion';
import { keywordSet, tokenize } from './sql_language';

export type { Completion } from './completion';

export interface CodeEditorOptions {
  value?: string;
  onRun?: () => void;
  onChange?: (value: string) => void;
  // The candidates for the text as it is now (the page adds the columns of
  // the tables the text names).
  completions?: (text: string) => Completion[];
  ariaLabel?: string;
  testid?: string;
  placeholder?: string;
  rows?: number; // visible lines (height), 12 by default
  indent?: string; // what Tab inserts, two spaces by default
  extraKeywords?: readonly string[]; // highlighted as keywords too (STREAM, PUMP, ROWTIME...)
}

export interface CodeEditor {
  element: HTMLElement;
  textarea: HTMLTextAreaElement;
  getValue(): string;
  setValue(value: string): void;
  // The selected text and the line it starts on (1-based); null without a selection.
  getSelection(): { text: string; line: number } | null;
  insertText(text: string): void; // at the cursor, replacing the selection
  focus(): void;
  showError(line: number, column: number, message: string): void;
  clearError(): void;
  openCompletion(): void;
}

const kIndent = '  ';

export function createCodeEditor(options: CodeEditorOptions): CodeEditor {
  const indent = options.indent ?? kIndent;
  const keywords = keywordSet(options.extraKeywords);
  const root = document.createElement('div');
  root.className = 'code-editor';
  root.style.setProperty('--ce-rows', String(options.rows ?? 12));
  if (options.testid !== undefined) root.dataset['testid'] = options.testid;

  const gutter = document.createElement('div');
  gutter.className = 'ce-gutter';
  gutter.setAttribute('aria-hidden', 'true');
  const gutterInner = document.createElement('div');
  gutter.append(gutterInner);

  const body = document.createElement('div');
  body.className = 'ce-body';
  const pre = document.createElement('pre');
  pre.className = 'ce-highlight';
  pre.setAttribute('aria-hidden', 'true');
  const code = document.createElement('code');
  pre.append(code);

  const textarea = document.createElement('textarea');
  textarea.className = 'ce-input';
  textarea.spellcheck = false;
  textarea.wrap = 'off';
  textarea.setAttribute('autocapitalize', 'off');
  textarea.setAttribute('autocomplete', 'off');
  textarea.setAttribute('autocorrect', 'off');
  textarea.setAttribute('aria-label', options.ariaLabel ?? 'Code');
  textarea.setAttribute('aria-autocomplete', 'list');
  textarea.setAttribute('aria-description', 'Ctrl+Enter runs; Ctrl+Space completes; Tab indents, Escape then Tab leaves the editor');
  if (options.placeholder !== undefined) textarea.placeholder = options.placeholder;
  if (options.testid !== undefined) textarea.dataset['testid'] = `${options.testid}-input`;
  textarea.value = options.value ?? '';

  // A hidden probe measures one character of the editor's font.
  const probe = document.createElement('span');
  probe.className = 'ce-probe';
  probe.textContent = 'MMMMMMMMMM';
  probe.setAttribute('aria-hidden', 'true');

  const popup = document.createElement('ul');
  popup.className = 'ce-completions';
  popup.setAttribute('role', 'listbox');
  popup.id = `ce-list-${Math.random().toString(36).slice(2, 10)}`;
  popup.hidden = true;
  if (options.testid !== undefined) popup.dataset['testid'] = `${options.testid}-completions`;
  textarea.setAttribute('aria-controls', popup.id);

  const message = document.createElement('div');
  message.className = 'ce-error';
  message.setAttribute('role', 'alert');
  message.hidden = true;
  if (options.testid !== undefined) message.dataset['testid'] = `${options.testid}-error`;

  body.append(pre, textarea, probe, popup);
  const frame = document.createElement('div');
  frame.className = 'ce-frame';
  frame.append(gutter, body);
  root.append(frame, message);

  let errorLine = 0;
  let errorColumn = 0;
  let shownLines = -1;
  let shownErrorLine = 0;

  // Draws the text highlighted, the error band and mark, and the gutter's numbers.
  const render = (): void => {
    const text = textarea.value;
    const fragment = document.createDocumentFragment();
    let line = 1;
    let col = 1;
    const span = (className: string, piece: string): HTMLSpanElement => {
      const el = document.createElement('span');
      el.className = className;
      el.textContent = piece;
      return el;
    };
    const emit = (type: string, piece: string): void => {
      if (piece === '') return;
      const className = `tok-${type}`;
      const hit = line === errorLine && errorColumn >= col && errorColumn < col + piece.length && /\S/.test(piece);
      if (hit) {
        // The error column falls in this piece: underline from there to the piece's end.
        const cut = errorColumn - col;
        if (cut > 0) fragment.append(span(className, piece.slice(0, cut)));
        fragment.append(span(`${className} ce-error-mark`, piece.slice(cut)));
      } else if (type === 'space' || type === 'operator') {
        fragment.append(piece);
      } else {
        fragment.append(span(className, piece));
      }
      col += piece.length;
    };
    for (const token of tokenize(text, keywords)) {
      token.text.split('\n').forEach((part, k) => {
        if (k > 0) {
          fragment.append('\n');
          line += 1;
          col = 1;
        }
        emit(token.type, part);
      });
    }
    // A trailing newline needs something after it to keep the heights equal.
    fragment.append('\n');
    if (errorLine > 0) {
      const band = document.createElement('div');
      band.className = 'ce-error-band';
      band.style.top = `calc(var(--ce-pad-y) + ${errorLine - 1} * var(--ce-line-h))`;
      fragment.append(band);
    }
    code.replaceChildren(fragment);
    if (line !== shownLines || errorLine !== shownErrorLine) {
      shownLines = line;
      shownErrorLine = errorLine;
      const numbers = document.createDocumentFragment();
      for (let k = 1; k <= line; k += 1) {
        const n = document.createElement('div');
        n.textContent = String(k);
        if (k === errorLine) n.className = 'ce-gutter-error';
        numbers.append(n);
      }
      gutterInner.replaceChildren(numbers);
    }
    syncScroll();
  };

  const syncScroll = (): void => {
    pre.style.transform = `translate(${-textarea.scrollLeft}px, ${-textarea.scrollTop}px)`;
    gutterInner.style.transform = `translateY(${-textarea.scrollTop}px)`;
    if (!popup.hidden) placePopup();
  };

  // --- completion ---
  let matches: Completion[] = [];
  let selected = 0;
  let word: WordAt = { start: 0, prefix: '', quoted: false };
  let escaped = false; // Esc pressed with nothing to close: the next Tab leaves

  const closePopup = (): void => {
    popup.hidden = true;
    matches = [];
    textarea.removeAttribute('aria-activedescendant');
    textarea.setAttribute('aria-expanded', 'false');
  };

  const caretXY = (offset: number): { x: number; y: number; lineHeight: number } => {
    const before = textarea.value.slice(0, offset);
    const lines = before.split('\n');
    const column = (lines[lines.length - 1] ?? '').length;
    const charWidth = probe.getBoundingClientRect().width / 10 || 8;
    const style = getComputedStyle(textarea);
    const lineHeight = parseFloat(style.lineHeight) || 20;
    const padTop = parseFloat(style.paddingTop) || 0;
    const padLeft = parseFloat(style.paddingLeft) || 0;
    return {
      x: padLeft + column * charWidth - textarea.scrollLeft,
      y: padTop + (lines.length - 1) * lineHeight - textarea.scrollTop,
      lineHeight,
    };
  };

  const placePopup = (): void => {
    const { x, y, lineHeight } = caretXY(word.start);
    const maxX = Math.max(0, body.clientWidth - 280);
    popup.style.left = `${Math.max(0, Math.min(x, maxX))}px`;
    const below = y + lineHeight + 2;
    // Open upwards when there is no room below.
    if (below + 220 > body.clientHeight && y > 220) {
      popup.style.top = '';
      popup.style.bottom = `${body.clientHeight - y + 2}px`;
    } else {
      popup.style.bottom = '';
      popup.style.top = `${below}px`;
    }
  };

  const drawPopup = (): void => {
    popup.replaceChildren(
      ...matches.map((m, k) => {
        const item = document.createElement('li');
        item.id = `${popup.id}-${k}`;
        item.setAttribute('role', 'option');
        item.setAttribute('aria-selected', k === selected ? 'true' : 'false');
        item.className = `ce-option${k === selected ? ' selected' : ''}`;
        item.dataset['kind'] = m.kind;
        const kind = document.createElement('span');
        kind.className = `ce-kind ce-kind-${m.kind}`;
        kind.textContent = m.kind === 'keyword' ? 'K' : m.kind === 'function' ? 'ƒ' : m.kind === 'column' ? 'C' : m.kind === 'view' ? 'V' : 'T';
        kind.title = m.kind;
        const label = document.createElement('span');
        label.className = 'ce-label';
        label.textContent = m.label;
        item.append(kind, label);
        if (m.detail !== undefined) {
          const detail = document.createElement('span');
          detail.className = 'ce-detail';
          detail.textContent = m.detail;
          item.append(detail);
        }
        item.addEventListener('mousedown', (event) => {
          event.preventDefault(); // keep the focus in the textarea
          selected = k;
          accept();
        });
        return item;
      }),
    );
    const active = popup.children[selected];
    if (active !== undefined) {
      textarea.setAttribute('aria-activedescendant', active.id);
      active.scrollIntoView({ block: 'nearest' });
    }
  };

  const openCompletion = (explicit: boolean): void => {
    if (options.completions === undefined) return;
    const cursor = textarea.selectionStart;
    if (textarea.selectionEnd !== cursor) return closePopup();
    word = wordAt(textarea.value, cursor);
    if (!explicit && word.prefix === '' && !word.quoted) return closePopup();
    matches = matchCompletions(options.completions(textarea.value), word.prefix);
    const typed = word.quoted ? `"${word.prefix}` : word.prefix;
    if (explicit ? matches.length === 0 : !worthShowing(matches, typed)) return closePopup();
    selected = 0;
    popup.hidden = false;
    textarea.setAttribute('aria-expanded', 'true');
    drawPopup();
    placePopup();
  };

  const replaceRange = (start: number, end: number, text: string, cursor: number): void => {
    textarea.setRangeText(text, start, end, 'end');
    textarea.setSelectionRange(cursor, cursor);
    changed();
  };

  const accept = (): void => {
    const choice = matches[selected];
    if (choice === undefined) return closePopup();
    // The word as it is now at the cursor (the list may be older than the cursor).
    const cursor = textarea.selectionStart;
    if (textarea.selectionEnd !== cursor) return closePopup();
    word = wordAt(textarea.value, cursor);
    const edit = completionEdit(textarea.value, cursor, word, choice);
    replaceRange(edit.start, edit.end, edit.insert, edit.cursor);
    closePopup();
  };

  const changed = (): void => {
    if (errorLine !== 0) clearError();
    else render();
    options.onChange?.(textarea.value);
  };

  // --- keys ---
  textarea.addEventListener('keydown', (event) => {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key === 'Enter') {
      event.preventDefault();
      closePopup();
      options.onRun?.();
      return;
    }
    if (event.ctrlKey && (event.key === ' ' || event.code === 'Space')) {
      event.preventDefault();
      openCompletion(true);
      return;
    }
    // A selection (made by mouse or script) ends the completion.
    if (!popup.hidden && textarea.selectionStart !== textarea.selectionEnd) closePopup();
    if (!popup.hidden) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const n = matches.length;
        selected = (selected + (event.key === 'ArrowDown' ? 1 : n - 1)) % n;
        drawPopup();
        return;
      }
      if (event.key === 'PageDown' || event.key === 'PageUp') {
        event.preventDefault();
        selected = Math.max(0, Math.min(matches.length - 1, selected + (event.key === 'PageDown' ? 8 : -8)));
        drawPopup();
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        accept();
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        closePopup();
        return;
      }
      // Moving the cursor away from the word ends the completion.
      if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) closePopup();
    }
    if (event.key === 'Escape') {
      escaped = true;
      return;
    }
    if (event.key === 'Tab' && !mod && !event.altKey) {
      if (escaped) {
        escaped = false;
        return; // let the browser move the focus
      }
      event.preventDefault();
      indentSelection(event.shiftKey);
      return;
    }
    escaped = false;
  });

  const indentSelection = (outdent: boolean): void => {
    const value = textarea.value;
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const multiLine = value.slice(start, end).includes('\n');
    if (!outdent && !multiLine) {
      replaceRange(start, end, indent, start + indent.length);
      return;
    }
    const lineStart = value.lastIndexOf('\n', start - 1) + 1;
    const block = value.slice(lineStart, end);
    const lines = block.split('\n');
    let firstDelta = 0;
    const changedLines = lines.map((line, k) => {
      if (!outdent) {
        if (k === 0) firstDelta = indent.length;
        return indent + line;
      }
      const strip = /^ */.exec(line)?.[0].length ?? 0;
      const remove = Math.min(strip, indent.length);
      if (k === 0) firstDelta = -remove;
      return line.slice(remove);
    });
    const replaced = changedLines.join('\n');
    textarea.setRangeText(replaced, lineStart, end, 'preserve');
    const newStart = Math.max(lineStart, start + firstDelta);
    textarea.setSelectionRange(newStart, multiLine ? lineStart + replaced.length : newStart);
    changed();
  };

  textarea.addEventListener('input', (event) => {
    changed();
    if (!(event instanceof InputEvent)) return;
    const input = event;
    // Typing one character opens or narrows the list; pasting or dropping text does not.
    if (input.inputType === 'insertText' && input.data !== null && input.data.length === 1 && /[A-Za-z0-9_$"\u00C0-\uFFFF ]/.test(input.data)) {
      // A space only continues an open quoted name; elsewhere it ends the word.
      if (input.data === ' ' && !wordAt(textarea.value, textarea.selectionStart).quoted) closePopup();
      else openCompletion(false);
    } else if (input.inputType.startsWith('delete') && !popup.hidden) {
      openCompletion(false);
    } else {
      closePopup();
    }
  });
  textarea.addEventListener('scroll', syncScroll);
  textarea.addEventListener('blur', () => closePopup());
  textarea.addEventListener('click', () => closePopup());

  function clearError(): void {
    errorLine = 0;
    errorColumn = 0;
    message.hidden = true;
    message.textContent = '';
    root.classList.remove('has-error');
    render();
  }

  render();

  return {
    element: root,
    textarea,
    getValue: () => textarea.value,
    setValue(value: string) {
      textarea.value = value;
      closePopup();
      if (errorLine !== 0) clearError();
      else render();
      options.onChange?.(value);
    },
    getSelection() {
      const { selectionStart: start, selectionEnd: end, value } = textarea;
      if (end <= start || value.slice(start, end).trim() === '') return null;
      return { text: value.slice(start, end), line: value.slice(0, start).split('\n').length };
    },
    insertText(text: string) {
      const start = textarea.selectionStart;
      replaceRange(start, textarea.selectionEnd, text, start + text.length);
      textarea.focus();
    },
    focus: () => textarea.focus(),
    showError(line: number, column: number, text: string) {
      errorLine = line;
      errorColumn = column;
      message.hidden = false;
      message.textContent = column > 0 ? `Line ${line}, column ${column}: ${text}` : `Line ${line}: ${text}`;
      root.classList.add('has-error');
      render();
      // Bring the marked line into view.
      const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
      const y = (line - 1) * lineHeight;
      if (y < textarea.scrollTop || y > textarea.scrollTop + textarea.clientHeight - lineHeight) {
        textarea.scrollTop = Math.max(0, y - lineHeight * 2);
      }
    },
    clearError,
    openCompletion: () => openCompletion(true),
  };
}
