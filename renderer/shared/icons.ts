/**
 * Symbolic 16 px icons in the style of GNOME's and KDE's sidebars: one stroke colour, taken from
 * the text (`currentColor`), so they follow the theme. Built as SVG elements, which the strict
 * CSP allows (no inline styles, no data: URLs).
 */

const SVG = 'http://www.w3.org/2000/svg';

type Shape = ['path', string] | ['circle', number, number, number];

const ICONS = {
  destination: [
    ['path', 'M2.5 9.5h11v3.25a.75.75 0 0 1-.75.75H3.25a.75.75 0 0 1-.75-.75z'],
    ['path', 'M2.5 9.5 4.25 3.75a.75.75 0 0 1 .7-.5h6.1a.75.75 0 0 1 .7.5L13.5 9.5'],
    ['circle', 11, 11.5, 0.5],
  ],
  folder: [
    [
      'path',
      'M2 4.25c0-.41.34-.75.75-.75h3.4l1.6 1.6h5.5c.41 0 .75.34.75.75v6.9c0 .41-.34.75-.75.75H2.75A.75.75 0 0 1 2 12.75z',
    ],
  ],
  clock: [
    ['circle', 8, 8, 5.75],
    ['path', 'M8 4.75V8l2.25 1.5'],
  ],
  archive: [
    ['path', 'M2 3.25h12v2.75H2z'],
    ['path', 'M3 6v6.75c0 .41.34.75.75.75h8.5c.41 0 .75-.34.75-.75V6'],
    ['path', 'M6.25 8.5h3.5'],
  ],
  bell: [
    ['path', 'M4 11.25V7.5a4 4 0 0 1 8 0v3.75l1.25 1.25H2.75z'],
    ['path', 'M6.5 13.75a1.5 1.5 0 0 0 3 0'],
  ],
  sliders: [
    ['path', 'M2 4h6.5M11.5 4H14M2 8h2M7 8h7M2 12h7.5M12.5 12H14'],
    ['circle', 10, 4, 1.5],
    ['circle', 5.5, 8, 1.5],
    ['circle', 11, 12, 1.5],
  ],
  file: [
    ['path', 'M4 2.5h5l3 3v8a.5.5 0 0 1-.5.5h-7.5a.5.5 0 0 1-.5-.5V3a.5.5 0 0 1 .5-.5z'],
    ['path', 'M9 2.5V5.5h3'],
  ],
  link: [
    ['path', 'M6.75 9.25 9.25 6.75'],
    ['path', 'M7.25 4.75 8.5 3.5a2.5 2.5 0 0 1 3.5 3.5l-1.25 1.25'],
    ['path', 'M8.75 11.25 7.5 12.5A2.5 2.5 0 0 1 4 9l1.25-1.25'],
  ],
  history: [
    ['path', 'M2.75 8a5.25 5.25 0 1 0 1.6-3.78'],
    ['path', 'M2.5 2.75v2.5H5'],
    ['path', 'M8 5.25V8l2 1.25'],
  ],
  verify: [
    ['path', 'M8 2 13 4v3.75c0 3-2.2 5.2-5 6.25C5.2 12.95 3 10.75 3 7.75V4z'],
    ['path', 'm5.75 8 1.6 1.6 3-3.2'],
  ],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof ICONS;

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const shape of ICONS[name] as Shape[]) {
    const element = document.createElementNS(SVG, shape[0]);
    if (shape[0] === 'path') {
      element.setAttribute('d', shape[1]);
    } else {
      element.setAttribute('cx', String(shape[1]));
      element.setAttribute('cy', String(shape[2]));
      element.setAttribute('r', String(shape[3]));
    }
    svg.appendChild(element);
  }
  return svg;
}
