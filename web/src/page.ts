// What a page is: a module whose render() fills `root` and may return a
// cleanup (close live streams, stop timers, dispose charts) that runs when
// the user leaves the page.

export interface PageContext {
  // The route's parts after the page's name: #/analyses/lab -> ['lab'].
  params: string[];
  // The query string after the route (#/metrics/x?range=1h -> range=1h).
  query: URLSearchParams;
  // Go to another route (#/...); replaces the history entry when asked.
  navigate(route: string, replace?: boolean): void;
  // True when the server handed out the demo key (serve --demo on loopback).
  demo: boolean;
}

export type Cleanup = () => void;

export interface PageModule {
  render(root: HTMLElement, context: PageContext): Cleanup | undefined | Promise<Cleanup | undefined>;
}
