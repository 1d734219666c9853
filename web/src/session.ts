// The signed-in key. Kept in sessionStorage only: it lives as long as the
// browser tab and is never written to disk by the console. The scope decides
// which pages the console offers; the server enforces it on every request.

export type Scope = 'admin' | 'metrics:read' | 'ingest' | 'unknown';

const kKeyItem = 'gamelake.key';
const kScopeItem = 'gamelake.scope';

export function currentKey(): string | null {
  return sessionStorage.getItem(kKeyItem);
}

export function currentScope(): Scope {
  const scope = sessionStorage.getItem(kScopeItem);
  return scope === 'admin' || scope === 'metrics:read' || scope === 'ingest' ? scope : 'unknown';
}

export function keepKey(key: string, scope: Scope): void {
  sessionStorage.setItem(kKeyItem, key);
  sessionStorage.setItem(kScopeItem, scope);
}

export function signOut(): void {
  sessionStorage.removeItem(kKeyItem);
  sessionStorage.removeItem(kScopeItem);
}

// Does a key of this scope reach a page that needs `need`?
export function allows(scope: Scope, need: 'admin' | 'metrics'): boolean {
  if (scope === 'admin') return true;
  return need === 'metrics' && scope === 'metrics:read';
}
