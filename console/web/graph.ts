import cytoscape, { type Core, type ElementDefinition, type EventObject } from 'cytoscape';
import type { AccountView, ClusterEvidence } from '../shared/api';

/** Colours of the link kinds: the edge and the shared-attribute node it ends on. */
export const KIND_COLOURS: Readonly<Record<string, string>> = {
  pay: '#d97706',
  dev: '#7c3aed',
  ip: '#0891b2',
  tpl: '#db2777',
  asn: '#4b5563',
  burst: '#16a34a',
};
export const KIND_NAMES: Readonly<Record<string, string>> = {
  pay: 'card',
  dev: 'device',
  ip: 'IP address',
  tpl: 'prompt template',
  asn: 'network footprint',
  burst: 'sign-up burst',
};

type Member = ClusterEvidence['members'][number];
type Link = ClusterEvidence['links'][number];

export interface GraphSelection {
  readonly kind: 'member';
  readonly member: Member;
}
export interface LinkSelection {
  readonly kind: 'link';
  readonly link: Link;
  readonly index: number;
  /** The member the clicked edge comes from (absent when the shared attribute itself was clicked). */
  readonly member?: Member;
  readonly holders: readonly Member[];
}

export interface GraphStats {
  readonly members: number;
  readonly links: number;
  readonly edges: number;
  /** Layout and first render, measured in the browser (performance.now). */
  readonly drawMs: number;
}

const KIND_SHORT: Readonly<Record<string, string>> = {
  pay: 'card',
  dev: 'device',
  ip: 'IP',
  tpl: 'template',
  asn: 'networks',
  burst: 'burst',
};

/** A shared link's label: its kind and a short form of what is shared. */
export function linkLabel(link: { readonly kind: string; readonly linkKey: string }): string {
  const value = link.linkKey.slice(link.linkKey.indexOf('#') + 1);
  return `${KIND_SHORT[link.kind] ?? link.kind} ${value.length > 14 ? `${value.slice(0, 12)}…` : value}`;
}

/** Over this many members the graph is drawn for overview: preset layout, finer edges. */
export const BIG_CLUSTER_MEMBERS = 150;

function isBig(evidence: ClusterEvidence): boolean {
  return evidence.members.length > BIG_CLUSTER_MEMBERS;
}

/** A reinstated account shows as such, whatever its score says now. */
export function displayedStatus(account: AccountView | undefined): string | undefined {
  if (!account) return undefined;
  return account.reinstatement && account.status !== 'SUSPENDED' ? 'REINSTATED' : account.status;
}

/** Fill by score: green under 40, amber to 70, red above. */
export function scoreColour(score: number): string {
  const s = Math.max(0, Math.min(100, score));
  const hue = s < 40 ? 130 : s < 70 ? 130 - ((s - 40) / 30) * 95 : 35 - ((s - 70) / 30) * 35;
  return `hsl(${Math.round(hue)}, 70%, ${s >= 70 ? 48 : 45}%)`;
}

/**
 * The cluster graph, drawn from the case's frozen evidence alone: every member is a node (sized by
 * its requests, filled by its score, outlined by its status), every shared link of the evidence a
 * small node of its kind, and every (member, link) pair the evidence records an edge of that kind,
 * as thick as the link's weight and dashed where a discount applies.
 */
export function elementsOf(
  evidence: ClusterEvidence,
  current: ReadonlyMap<string, AccountView> = new Map(),
): ElementDefinition[] {
  const big = isBig(evidence);
  const maxRequests = Math.max(1, ...evidence.members.map((m) => m.totalRequests ?? 0));
  const elements: ElementDefinition[] = [];
  evidence.links.forEach((link, index) => {
    elements.push({
      group: 'nodes',
      data: {
        id: `l${index}`,
        label: linkLabel(link),
        kind: link.kind,
        colour: KIND_COLOURS[link.kind] ?? '#888',
        index,
      },
      classes: `link ${link.discount ? 'discounted' : ''}`,
    });
  });
  evidence.members.forEach((member, m) => {
    const status = displayedStatus(current.get(member.accountId)) ?? member.status;
    elements.push({
      group: 'nodes',
      data: {
        id: `m${m}`,
        accountId: member.accountId,
        label: member.accountId,
        fill: scoreColour(member.riskScore),
        size: (big ? 8 : 14) + (big ? 22 : 36) * Math.sqrt((member.totalRequests ?? 0) / maxRequests),
        status,
      },
      classes: `member status-${status.toLowerCase()}`,
    });
    for (const index of member.links ?? []) {
      const link = evidence.links[index];
      if (!link) continue;
      elements.push({
        group: 'edges',
        data: {
          id: `e${m}-${index}`,
          source: `m${m}`,
          target: `l${index}`,
          colour: KIND_COLOURS[link.kind] ?? '#888',
          kind: link.kind,
          width: big ? 0.4 + 1.6 * link.weight : 1 + 5 * link.weight,
          member: m,
          index,
        },
        classes: link.discount ? 'discounted' : '',
      });
    }
  });
  return elements;
}

/**
 * A layout for large clusters that costs a few passes over the edges. Each member belongs to its
 * most specific heavy link (the card or device it shares with the fewest others: its sub-ring);
 * each sub-ring is a disc of members on a circle, with that link at its centre. Every other shared
 * link sits at the centre of the members holding it: a card paid by two neighbouring sub-rings
 * between them, a prompt template sent by every sub-ring in the middle. A force-directed layout of
 * 400 members and 2,500 edges takes seconds in the browser; this takes milliseconds.
 */
export function hubLayout(evidence: ClusterEvidence): Record<string, { x: number; y: number }> {
  const positions: Record<string, { x: number; y: number }> = {};
  const holders = evidence.links.map(() => 0);
  for (const member of evidence.members)
    for (const i of member.links ?? []) holders[i] = (holders[i] ?? 0) + 1;
  const heavy = (i: number) => {
    const link = evidence.links[i];
    return link !== undefined && link.discount === null && link.weight >= evidence.edgeThreshold;
  };
  const primaryOf = (links: readonly number[]): number => {
    let best = -1;
    for (const i of links) {
      if (!heavy(i)) continue;
      if (best < 0 || (holders[i] ?? 0) < (holders[best] ?? 0)) best = i;
    }
    return best;
  };
  const groups = new Map<number, number[]>();
  evidence.members.forEach((member, m) => {
    const primary = primaryOf(member.links ?? []);
    groups.set(primary, [...(groups.get(primary) ?? []), m]);
  });
  // Sub-rings on the same card next to each other: order by the heavy links their first member holds.
  const order = [...groups.entries()].sort(([, a], [, b]) => {
    const key = (m: number) => (evidence.members[m]?.links ?? []).filter(heavy).join(',');
    return key(a[0]!).localeCompare(key(b[0]!));
  });
  const discRadius = (n: number) => 13 * Math.sqrt(n) + 12;
  const circumference = order.reduce((sum, [, members]) => sum + 2 * discRadius(members.length) + 24, 0);
  const ring = Math.max(120, circumference / (2 * Math.PI));
  const golden = Math.PI * (3 - Math.sqrt(5));
  let along = 0;
  for (const [primary, members] of order) {
    const r = discRadius(members.length);
    const angle = ((along + r + 12) / circumference) * 2 * Math.PI;
    along += 2 * r + 24;
    const centre = { x: ring * Math.cos(angle), y: ring * Math.sin(angle) };
    if (primary >= 0) positions[`l${primary}`] = centre;
    members.forEach((m, k) => {
      const d = 13 * Math.sqrt(k + (primary >= 0 ? 1 : 0));
      positions[`m${m}`] = { x: centre.x + d * Math.cos(k * golden), y: centre.y + d * Math.sin(k * golden) };
    });
  }
  const sums = evidence.links.map(() => ({ x: 0, y: 0, n: 0 }));
  evidence.members.forEach((member, m) => {
    const p = positions[`m${m}`]!;
    for (const i of member.links ?? []) {
      const sum = sums[i];
      if (!sum) continue;
      sum.x += p.x;
      sum.y += p.y;
      sum.n += 1;
    }
  });
  sums.forEach((sum, i) => {
    if (positions[`l${i}`]) return;
    // Links nobody in the evidence holds stay outside the ring.
    positions[`l${i}`] = sum.n > 0 ? { x: sum.x / sum.n, y: sum.y / sum.n } : { x: ring * 1.3, y: i * 20 };
  });
  return positions;
}

export interface DrawnGraph {
  readonly cy: Core;
  /** Once the first frame is drawn. */
  readonly stats: GraphStats | undefined;
  /** Selects and centres the first member whose account id contains `text`; false if none. */
  find(text: string): boolean;
  /** Shows or hides the shared links of one kind and their edges (the elements stay in the graph). */
  showKind(kind: string, visible: boolean): void;
  /** Recolours the members' outlines from their current status. */
  updateStatus(current: ReadonlyMap<string, AccountView>): void;
}

export function drawGraph(
  container: HTMLElement,
  evidence: ClusterEvidence,
  current: ReadonlyMap<string, AccountView>,
  onSelect: (selection: GraphSelection | LinkSelection) => void,
  onDrawn: (stats: GraphStats) => void,
): DrawnGraph {
  const started = performance.now();
  const elements = elementsOf(evidence, current);
  const big = isBig(evidence);
  const positions = big ? hubLayout(evidence) : undefined;
  container.dataset.prepMs = (performance.now() - started).toFixed(1);
  const cy = cytoscape({
    container,
    elements,
    minZoom: 0.05,
    maxZoom: 6,
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    boxSelectionEnabled: false,
    pixelRatio: 1,
    style: [
      {
        selector: 'node.member',
        style: {
          'background-color': 'data(fill)',
          width: 'data(size)',
          height: 'data(size)',
          // Large clusters draw their account ids only once zoomed in (see the zoom handler).
          label: big ? '' : 'data(label)',
          'font-size': 9,
          // Account ids appear once zoomed in enough to read them.
          'min-zoomed-font-size': big ? 12 : 8,
          'text-valign': 'bottom',
          'text-margin-y': 2,
          'border-width': 3,
          'border-color': '#7f1d1d',
        },
      },
      { selector: 'node.status-active', style: { 'border-color': '#15803d' } },
      {
        selector: 'node.status-reinstated',
        style: { 'border-color': '#15803d', 'border-style': 'double', 'border-width': 6 },
      },
      { selector: 'node.status-review', style: { 'border-color': '#b45309' } },
      {
        selector: 'node.link',
        style: {
          shape: 'diamond',
          width: 18,
          height: 18,
          'background-color': 'data(colour)',
          label: 'data(label)',
          'font-size': 8,
          color: 'data(colour)',
          'min-zoomed-font-size': 6,
        },
      },
      {
        selector: 'node.link.discounted',
        style: {
          'background-opacity': 0.45,
          'border-width': 1,
          'border-style': 'dashed',
          'border-color': '#111',
        },
      },
      {
        selector: 'edge',
        style: {
          width: 'data(width)',
          'line-color': 'data(colour)',
          opacity: big ? 0.22 : 0.7,
          'curve-style': 'haystack',
        },
      },
      {
        selector: 'edge.discounted',
        style: { 'line-style': 'dashed', opacity: big ? 0.15 : 0.45, 'curve-style': 'straight' },
      },
      {
        selector: ':selected',
        style: { 'overlay-color': '#1d4ed8', 'overlay-opacity': 0.25, 'overlay-padding': 6 },
      },
      { selector: 'node.member:selected', style: { 'border-color': '#1d4ed8', 'border-width': 4 } },
      { selector: 'edge:selected', style: { opacity: 1, width: 4 } },
      { selector: 'node.member.labelled', style: { label: 'data(label)' } },
      { selector: '.kind-hidden', style: { display: 'none' } },
    ],
    layout: big
      ? { name: 'preset', positions, fit: false }
      : {
          name: 'cose',
          animate: false,
          randomize: false,
          numIter: 1000,
          nodeRepulsion: () => 8000,
          idealEdgeLength: () => 60,
          gravity: 1,
          nodeDimensionsIncludeLabels: false,
        },
  });
  // The clock stops when Cytoscape has painted the first frame after the layout: its 'render'
  // event fires once the canvas is drawn.
  const counts = {
    members: cy.nodes('.member').length,
    links: cy.nodes('.link').length,
    edges: cy.edges().length,
  };
  let stats: GraphStats | undefined;
  if (positions) {
    // Fitted from the positions alone: cy.fit() would measure every edge's bounding box first.
    const xs = Object.values(positions).map((p) => p.x);
    const ys = Object.values(positions).map((p) => p.y);
    const [x0, x1, y0, y1] = [
      Math.min(...xs) - 40,
      Math.max(...xs) + 40,
      Math.min(...ys) - 40,
      Math.max(...ys) + 40,
    ];
    const zoom = Math.min(container.clientWidth / (x1 - x0), container.clientHeight / (y1 - y0));
    cy.viewport({
      zoom,
      pan: {
        x: container.clientWidth / 2 - zoom * ((x0 + x1) / 2),
        y: container.clientHeight / 2 - zoom * ((y0 + y1) / 2),
      },
    });
  }
  container.dataset.layoutMs = (performance.now() - started).toFixed(1);
  cy.one('render', () => {
    stats = { ...counts, drawMs: performance.now() - started };
    container.dataset.members = String(stats.members);
    container.dataset.links = String(stats.links);
    container.dataset.edges = String(stats.edges);
    container.dataset.drawMs = stats.drawMs.toFixed(1);
    onDrawn(stats);
  });
  cy.forceRender();

  if (big) {
    // Measuring 400 labels costs more than drawing the whole graph: label what is on screen, zoomed in.
    let labelled = false;
    cy.on('zoom', () => {
      const want = cy.zoom() >= 1;
      if (want === labelled) return;
      labelled = want;
      cy.batch(() =>
        want ? cy.nodes('.member').addClass('labelled') : cy.nodes('.member').removeClass('labelled'),
      );
    });
  }

  const holdersOf = (index: number) => evidence.members.filter((m) => (m.links ?? []).includes(index));
  cy.on('tap', 'node.member', (event: EventObject) => {
    const member = evidence.members[Number(String(event.target.id()).slice(1))];
    if (member) onSelect({ kind: 'member', member });
  });
  cy.on('tap', 'node.link', (event: EventObject) => {
    const index = Number(event.target.data('index'));
    const link = evidence.links[index];
    if (link) onSelect({ kind: 'link', link, index, holders: holdersOf(index) });
  });
  cy.on('tap', 'edge', (event: EventObject) => {
    const index = Number(event.target.data('index'));
    const link = evidence.links[index];
    const member = evidence.members[Number(event.target.data('member'))];
    if (link)
      onSelect({ kind: 'link', link, index, holders: holdersOf(index), ...(member ? { member } : {}) });
  });

  return {
    cy,
    get stats() {
      return stats;
    },
    find: (text) => {
      const wanted = text.trim().toLowerCase();
      if (!wanted) return false;
      const hit = cy
        .nodes('.member')
        .filter((n) => String(n.data('accountId')).toLowerCase().includes(wanted))
        .first();
      if (hit.empty()) return false;
      cy.elements().unselect();
      hit.select();
      cy.zoom(Math.max(cy.zoom(), 1.2));
      cy.center(hit);
      hit.emit('tap');
      return true;
    },
    showKind: (kind, visible) => {
      const elements = cy.elements().filter((e) => e.data('kind') === kind);
      if (visible) elements.removeClass('kind-hidden');
      else elements.addClass('kind-hidden');
    },
    updateStatus: (now) => {
      cy.batch(() => {
        cy.nodes('.member').forEach((node) => {
          const status = displayedStatus(now.get(String(node.data('accountId'))));
          if (!status) return;
          node.removeClass('status-active status-review status-suspended status-reinstated');
          node.addClass(`status-${status.toLowerCase()}`);
          node.data('status', status);
        });
      });
    },
  };
}
