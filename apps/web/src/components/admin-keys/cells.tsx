import { useRouter } from "@tanstack/react-router";
import type { MouseEvent, ReactNode } from "react";
import { actingUser, feedsText, formatAgo, formatDay, formatFull, isoOf, KIND_LABELS, type AdminKeyRow } from "../../lib/admin-keys/format";
import type { AdminKeySearch, SortKey } from "../../lib/admin-keys/search";
import { textLink } from "../../lib/styles";
import { rowAction } from "./styles";
import { HowToUseButton } from "../keys/HowToUseButton";
import { OldValueBadge } from "../keys/OldValueBadge";
import { KeyStatusBadge } from "../StatusBadge";

// The pieces of a key that the grid (wide screens) and the cards (narrow ones) both show.

export const Muted = ({ children }: { children: string }) => <span className="text-gray-500">{children}</span>;

export function When({ value, ago }: { value: Date | string; ago?: boolean }) {
  return (
    <time dateTime={isoOf(value)} title={formatFull(value)} className="whitespace-nowrap">
      {ago ? formatAgo(value) : formatDay(value)}
    </time>
  );
}

export function NameCell({ k }: { k: AdminKeyRow }) {
  return (
    <>
      <div className="font-medium break-words text-gray-900">{k.name}</div>
      <div className="font-mono text-xs text-gray-600">
        {k.hint}
        {/* The id the Native and management APIs and the access-log filter take (docs/api.md). */}
        <span className="ml-2 font-sans whitespace-nowrap">ID {k.id}</span>
      </div>
      {k.description && k.description !== k.name && <div className="mt-0.5 line-clamp-2 text-xs text-gray-600">{k.description}</div>}
    </>
  );
}

export const KindCell = ({ k }: { k: AdminKeyRow }) => <>{KIND_LABELS[k.kind]}</>;
export const OwnerCell = ({ k }: { k: AdminKeyRow }) => (k.owner ? k.owner.username : <Muted>—</Muted>);

export function UserCell({ k }: { k: AdminKeyRow }) {
  const u = actingUser(k);
  return <span className="whitespace-nowrap">{u.muted ? <Muted>{u.text}</Muted> : u.text}</span>;
}

/** The key's status, and until when a replaced value still works (rotation with overlap, docs/presenting-keys.md). */
export function StatusCell({ k, align = "start" }: { k: AdminKeyRow; align?: "start" | "end" }) {
  return (
    <div className={`flex flex-col gap-1 ${align === "end" ? "items-end" : "items-start"}`}>
      <KeyStatusBadge status={k.status} />
      <OldValueBadge until={k.oldValueExpiresAt} />
    </div>
  );
}

export const ApisCell = ({ k }: { k: AdminKeyRow }) => <span className="font-mono text-xs">{k.apis.join(", ")}</span>;
export const FeedsCell = ({ k }: { k: AdminKeyRow }) => <>{feedsText(k.feeds)}</>;
export const ExpiresCell = ({ k }: { k: AdminKeyRow }) => (k.expiresAt ? <When value={k.expiresAt} /> : <Muted>Never</Muted>);
export const LastUsedCell = ({ k }: { k: AdminKeyRow }) => (k.lastUsedAt ? <When value={k.lastUsedAt} ago /> : <Muted>Never</Muted>);

/** The least-privilege advisor's "Unused rights" (docs/advisor.md): what the key may do but did not in the window. */
export const UnusedRightsCell = ({ k }: { k: AdminKeyRow }) =>
  k.unusedRights.length === 0 ? (
    <Muted>None</Muted>
  ) : (
    <ul className="space-y-0.5 text-xs text-amber-900">
      {k.unusedRights.map((r) => (
        <li key={r}>{r}</li>
      ))}
    </ul>
  );

/** A key's facts as its card lists them, in the grid's column order. */
export const cardFacts = (k: AdminKeyRow): [term: string, value: ReactNode][] => [
  ["Kind", <KindCell k={k} />],
  ["Owner", <OwnerCell k={k} />],
  ["User", <UserCell k={k} />],
  ["APIs", <ApisCell k={k} />],
  ["Feeds", <FeedsCell k={k} />],
  ["Created", <When value={k.createdAt} />],
  ["Expires", <ExpiresCell k={k} />],
  ["Last used", <LastUsedCell k={k} />],
  ["Unused rights", <UnusedRightsCell k={k} />],
];

export type RowActions = {
  onEdit: (key: AdminKeyRow) => void;
  /** A user's scoped key: its expiry and packages. */
  onEditScoped: (key: AdminKeyRow) => void;
  onRevoke: (key: AdminKeyRow) => void;
  onDelete: (key: AdminKeyRow) => void;
};

/** What the grid (KeyTable) and the cards (KeyCards) both take: one page of keys, sorted by the server. */
export type KeyListProps = {
  rows: AdminKeyRow[];
  search: AdminKeySearch;
  onSort: (sort: SortKey, dir: "asc" | "desc") => void;
  actions: RowActions;
  busy: boolean;
};

/** Edit (system keys; a scoped key's expiry and packages), Revoke, Delete and the key's access logs; each names its key for screen readers. */
export function KeyActions({ k, actions, className, keepPlaces = false }: { k: AdminKeyRow; actions: RowActions; className: string; keepPlaces?: boolean }) {
  const router = useRouter();
  const logs = `/admin/access-logs?key=${k.id}`;
  const openLogs = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    void router.navigate({ href: logs });
  };
  const about = <span className="sr-only"> {k.name}</span>;
  return (
    <div className={className}>
      {(k.kind === "system" || k.kind === "scoped") && !k.revokedAt ? (
        <button type="button" className={`${rowAction} text-blue-700`} onClick={() => (k.kind === "system" ? actions.onEdit(k) : actions.onEditScoped(k))}>
          Edit{about}
        </button>
      ) : (
        keepPlaces && <span aria-hidden="true" />
      )}
      {!k.revokedAt ? (
        <button type="button" className={`${rowAction} text-red-700`} onClick={() => actions.onRevoke(k)}>
          Revoke{about}
        </button>
      ) : (
        keepPlaces && <span aria-hidden="true" />
      )}
      <button type="button" className={`${rowAction} text-red-700`} onClick={() => actions.onDelete(k)}>
        Delete{about}
      </button>
      {!k.revokedAt && <HowToUseButton keyName={k.name} usageKey={k} className={`${rowAction} text-blue-700`} />}
      <a href={logs} onClick={openLogs} className={`${textLink} px-1 py-0.5 text-sm`}>
        logs<span className="sr-only"> of {k.name}</span>
      </a>
    </div>
  );
}
