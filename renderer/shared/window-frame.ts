/**
 * The frame every window shares: a header bar, a sidebar of pages and the current page beside it,
 * with an action bar under the page. The sidebar is a vertical tablist: Tab reaches the current
 * page's entry, the arrow keys (and Home, End) move between pages, Enter or Space shows one.
 * On a narrow window (or a wide one at a large zoom) the sidebar becomes a view switcher: a row of
 * the same tabs above the page, which then has the window's whole width.
 */
import { h, uniqueId } from './dom.js';
import { icon, type IconName } from './icons.js';

export interface PageSpec {
  id: string;
  title: string;
  icon: IconName;
  element: HTMLElement;
  /**
   * `clamped` (the default) keeps the page at a readable width and scrolls it whole; `fill` gives
   * it the whole content area, for a page that lays out and scrolls its own panes.
   */
  layout?: 'clamped' | 'fill';
}

export interface FrameOptions {
  /** The window's name, above the sidebar. */
  title: string;
  /** What the sidebar is, for screen readers ("Settings pages"). */
  sidebarLabel: string;
  pages: PageSpec[];
  /** Shown at the top of the sidebar, above the pages (the settings window's profile chooser). */
  sidebarTop?: HTMLElement;
  /** Shown above the page, such as a question about changes made elsewhere. */
  banner?: HTMLElement;
  /** The bar under the page: status and the window's buttons. */
  actionBar?: HTMLElement;
  /** Called whenever a page is shown. */
  onPageShown?: (id: string) => void;
  /**
   * The pages lay out panes side by side (the Backups window) and need the width: the sidebar
   * becomes a view switcher below about 1000 px rather than 720 px (at 14 px text; base.css).
   */
  wideContent?: boolean;
}

export interface WindowFrame {
  element: HTMLElement;
  /** Shows a page; `focus` moves the keyboard focus to its sidebar entry too. */
  showPage(id: string, options?: { focus?: boolean }): void;
  currentPage(): string;
  /** The page that holds `node`, if any. */
  pageOf(node: Node): string | null;
  /** Marks the sidebar entries of these pages as needing attention. */
  markPages(ids: ReadonlySet<string>, why: string): void;
}

export function createWindowFrame(options: FrameOptions): WindowFrame {
  const pages = options.pages;
  const pageTitle = h('h2', { class: 'page-title' });
  const attention = h('span', { class: 'visually-hidden', id: uniqueId('attention') });
  const tabs = pages.map((page) => {
    const tab = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${page.id}`,
        'aria-controls': `page-${page.id}`,
        'aria-selected': 'false',
        tabindex: -1,
        'data-page': page.id,
      },
      icon(page.icon),
      h('span', { class: 'tab-label' }, page.title),
      h('span', { class: 'attention-mark', 'aria-hidden': 'true' }),
    );
    tab.addEventListener('click', () => showPage(page.id));
    return tab;
  });
  const tablist = h(
    'div',
    { role: 'tablist', 'aria-orientation': 'vertical', 'aria-label': options.sidebarLabel },
    ...tabs,
  );
  tablist.addEventListener('keydown', (event) => moveWithKeys(event));

  const panels = pages.map((page) =>
    h(
      'section',
      {
        role: 'tabpanel',
        id: `page-${page.id}`,
        class: page.layout === 'fill' ? 'page fill' : 'page',
        'aria-labelledby': `tab-${page.id}`,
        hidden: true,
      },
      page.element,
    ),
  );
  const scroller = h('main', { class: 'page-scroller' }, h('div', { class: 'clamp' }, ...panels));

  const element = h(
    'div',
    { class: options.wideContent ? 'window-frame wide-content' : 'window-frame' },
    h('header', { class: 'headerbar sidebar-header' }, h('h1', {}, options.title)),
    h('header', { class: 'headerbar content-header' }, pageTitle),
    h('div', { class: 'sidebar' }, options.sidebarTop ?? null, tablist, attention),
    h('div', { class: 'content' }, options.banner ?? null, scroller, options.actionBar ?? null),
  );

  let current = '';

  // The sidebar becomes a view switcher when the window is narrower than the probe, whose width
  // base.css gives in rem: a larger text size or zoom switches sooner, as it should.
  const probe = h('div', { class: 'switcher-probe', 'aria-hidden': 'true' });
  element.append(probe);
  const orient = () => {
    const narrow = probe.offsetWidth > 0 && window.innerWidth < probe.offsetWidth;
    element.classList.toggle('switcher', narrow);
    tablist.setAttribute('aria-orientation', narrow ? 'horizontal' : 'vertical');
  };
  new ResizeObserver(orient).observe(probe);
  window.addEventListener('resize', orient);

  function showPage(id: string, opts: { focus?: boolean } = {}): void {
    const index = pages.findIndex((p) => p.id === id);
    if (index < 0) return;
    pages.forEach((page, i) => {
      const selected = i === index;
      tabs[i]!.setAttribute('aria-selected', String(selected));
      tabs[i]!.tabIndex = selected ? 0 : -1;
      panels[i]!.hidden = !selected;
    });
    if (current !== id) scroller.scrollTop = 0;
    current = id;
    pageTitle.textContent = pages[index]!.title;
    scroller.classList.toggle('fill', pages[index]!.layout === 'fill');
    if (opts.focus) tabs[index]!.focus();
    options.onPageShown?.(id);
  }

  function moveWithKeys(event: KeyboardEvent): void {
    const index = tabs.findIndex((t) => t === document.activeElement);
    if (index < 0) return;
    const last = tabs.length - 1;
    const next = index === last ? 0 : index + 1;
    const previous = index === 0 ? last : index - 1;
    // Both pairs of arrows work whichever way the tabs run.
    const target = {
      ArrowDown: next,
      ArrowRight: next,
      ArrowUp: previous,
      ArrowLeft: previous,
      Home: 0,
      End: last,
    }[event.key];
    if (target !== undefined) {
      event.preventDefault();
      // The page follows the selection, as in GNOME Settings and KDE System Settings.
      showPage(pages[target]!.id, { focus: true });
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      showPage(pages[index]!.id, { focus: true });
    }
  }

  function pageOf(node: Node): string | null {
    const i = panels.findIndex((panel) => panel.contains(node));
    return i < 0 ? null : pages[i]!.id;
  }

  function markPages(ids: ReadonlySet<string>, why: string): void {
    attention.textContent = why;
    pages.forEach((page, i) => {
      const marked = ids.has(page.id);
      tabs[i]!.classList.toggle('needs-attention', marked);
      if (marked) tabs[i]!.setAttribute('aria-describedby', attention.id);
      else tabs[i]!.removeAttribute('aria-describedby');
    });
  }

  showPage(pages[0]!.id);
  return { element, showPage, currentPage: () => current, pageOf, markPages };
}
