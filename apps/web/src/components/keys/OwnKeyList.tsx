import { Link } from "@tanstack/react-router";
import { formatDate, formatDateTime, formatTime, toDate, type DateLike } from "../../lib/dates";
import { rowActions, scopeLabels, summarizePackages, type RowAction } from "../../lib/keys";
import { focusRing, textLink } from "../../lib/styles";
import { FactList } from "../FactList";
import { NoneMark } from "../NoneMark";
import { KeyStatusBadge } from "../StatusBadge";
import { TableScroller } from "../TableScroller";
import type { OwnKey } from "./confirmations";
import { HowToUseButton } from "./HowToUseButton";
import { KeyUsageButton } from "./KeyUsageButton";
import { NetworksBadge } from "./NetworksBadge";
import { OldValueBadge } from "./OldValueBadge";

// The account's own keys: a table on wide screens, a card per key on phones. Only one of
// the two is displayed, so each action has one accessible button.

type ListProps = { keys: readonly OwnKey[]; onAction: (action: "revoke" | "delete" | "regenerate", key: OwnKey) => void };

const ACTION_LABELS: Record<RowAction, string> = {
  edit: "Edit packages",
  regenerate: "Regenerate",
  revoke: "Revoke",
  delete: "Delete",
};

const smallButton = `inline-flex items-center justify-center rounded-md border px-2 py-1 text-xs font-medium whitespace-nowrap shadow-xs ${focusRing}`;
const neutralAction = `${smallButton} border-gray-300 bg-white text-gray-800 hover:bg-gray-50`;
const dangerAction = `${smallButton} border-red-300 bg-white text-red-700 hover:bg-red-50`;

/** A day, with the time of day on a second line when it matters (narrow columns). */
function Time({ value, withTime = false }: { value: DateLike; withTime?: boolean }) {
  const date = toDate(value);
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatDate(date)}
      {withTime && <span className="block text-xs text-gray-500">{formatTime(date)}</span>}
    </time>
  );
}

function Scopes({ k }: { k: OwnKey }) {
  const scopes = scopeLabels(k.scopes);
  return <>{k.kind === "legacy" ? "All" : scopes.length > 0 ? scopes.join(", ") : <NoneMark />}</>;
}

function Packages({ k }: { k: OwnKey }) {
  if (k.kind === "legacy") return <>All packages</>;
  const packages = summarizePackages(k.packages);
  if (packages.shown.length === 0) return <NoneMark />;
  return (
    // One per line; the comma is for screen readers and copy-paste.
    <ul className="font-mono text-xs break-words" title={packages.more > 0 ? k.packages.join(", ") : undefined}>
      {packages.shown.map((name, i) => (
        <li key={name}>
          {name}
          {i < packages.shown.length - 1 && <span className="sr-only">,</span>}
        </li>
      ))}
      {packages.more > 0 && <li className="font-sans text-sm whitespace-nowrap text-gray-600">and {packages.more} more</li>}
    </ul>
  );
}

const Globs = ({ k }: { k: OwnKey }) => (k.globs.length > 0 ? <span className="font-mono text-xs break-words">{k.globs.join(", ")}</span> : <NoneMark />);

function LastUsed({ k }: { k: OwnKey }) {
  return (
    <>
      {k.lastUsedAt ? (
        <>
          <Time value={k.lastUsedAt} withTime />
          {k.lastUsedIp && <span className="block font-mono text-xs text-gray-500">{k.lastUsedIp}</span>}
        </>
      ) : (
        "Never"
      )}
      <Link to="/account/access-logs" search={{ key: k.id }} className={`${textLink} mt-1 block w-max text-xs`}>
        Logs<span className="sr-only"> of “{k.name}”</span>
      </Link>
    </>
  );
}

function Actions({ k, onAction }: { k: OwnKey; onAction: ListProps["onAction"] }) {
  return (
    <>
      {k.status.state !== "revoked" && <HowToUseButton keyName={k.name} usageKey={k} className={neutralAction} />}
      {k.status.state !== "revoked" && <KeyUsageButton keyId={k.id} keyName={k.name} className={neutralAction} onRevoke={() => onAction("revoke", k)} />}
      {rowActions(k).map((action) =>
        action === "edit" ? (
          <Link key={action} to="/account/api-keys/$keyId/edit" params={{ keyId: String(k.id) }} className={neutralAction}>
            {ACTION_LABELS[action]}
            <span className="sr-only"> of “{k.name}”</span>
          </Link>
        ) : (
          <button key={action} type="button" className={action === "regenerate" ? neutralAction : dangerAction} onClick={() => onAction(action, k)}>
            {ACTION_LABELS[action]}
            <span className="sr-only"> “{k.name}”</span>
          </button>
        ),
      )}
    </>
  );
}

function NameAndHint({ k }: { k: OwnKey }) {
  return (
    <>
      <span className="break-words">{k.name}</span>
      <span className="mt-0.5 block font-mono text-xs font-normal text-gray-500">{k.hint}</span>
    </>
  );
}

const COLUMNS = ["Name", "Status", "Scopes", "Packages", "Glob", "Created", "Expires", "Last used", "Actions"] as const;

function OwnKeyTable({ keys, onAction }: ListProps) {
  const th = "px-2.5 py-2 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-gray-600 uppercase first:pl-3";
  const td = "px-2.5 py-3 align-top";
  return (
    <TableScroller label="Your API keys">
      <table className="min-w-full divide-y divide-gray-200 text-sm">
        <thead className="bg-gray-50">
          <tr>
            {COLUMNS.map((name) => (
              <th key={name} scope="col" className={th}>
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100 bg-white">
          {keys.map((k) => (
            <tr key={k.id}>
              <th scope="row" className={`${td} min-w-32 pl-3 text-left font-medium text-gray-900`}>
                <NameAndHint k={k} />
              </th>
              <td className={`${td} whitespace-nowrap`}>
                <div className="flex flex-col items-start gap-1">
                  <KeyStatusBadge status={k.status} />
                  <NetworksBadge networks={k.allowedNetworks} />
                  <OldValueBadge until={k.oldValueExpiresAt} />
                </div>
              </td>
              <td className={`${td} text-gray-800`}>
                <Scopes k={k} />
              </td>
              <td className={`${td} text-gray-800`}>
                <Packages k={k} />
              </td>
              <td className={`${td} text-gray-800`}>
                <Globs k={k} />
              </td>
              <td className={`${td} whitespace-nowrap text-gray-800`}>
                <Time value={k.createdAt} />
              </td>
              <td className={`${td} whitespace-nowrap text-gray-800`}>{k.expiresAt ? <Time value={k.expiresAt} /> : "Never"}</td>
              <td className={`${td} whitespace-nowrap text-gray-800`}>
                <LastUsed k={k} />
              </td>
              <td className={td}>
                {/* Two by two, so four actions do not make the table wider than the page. */}
                <div className="grid w-max grid-cols-2 gap-1.5">
                  <Actions k={k} onAction={onAction} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

function OwnKeyCards({ keys, onAction }: ListProps) {
  return (
    <ul aria-label="Your API keys" className="space-y-3">
      {keys.map((k) => (
        <li key={k.id} className="rounded-md border border-gray-200 bg-white p-3 text-sm">
          <div className="flex items-start justify-between gap-3">
            <p className="min-w-0 font-medium text-gray-900">
              <NameAndHint k={k} />
            </p>
            <div className="flex flex-col items-end gap-1">
              <KeyStatusBadge status={k.status} />
              <NetworksBadge networks={k.allowedNetworks} />
              <OldValueBadge until={k.oldValueExpiresAt} />
            </div>
          </div>
          <FactList
            facts={[
              ["Scopes", <Scopes k={k} />],
              ["Packages", <Packages k={k} />],
              ["Glob", <Globs k={k} />],
              ["Created", <Time value={k.createdAt} />],
              ["Expires", k.expiresAt ? <Time value={k.expiresAt} /> : "Never"],
              ["Last used", <LastUsed k={k} />],
            ]}
          />
          <div className="mt-3 flex flex-wrap gap-2">
            <Actions k={k} onAction={onAction} />
          </div>
        </li>
      ))}
    </ul>
  );
}

export function OwnKeyList(props: ListProps) {
  return (
    <>
      <div className="hidden md:block">
        <OwnKeyTable {...props} />
      </div>
      <div className="md:hidden">
        <OwnKeyCards {...props} />
      </div>
    </>
  );
}
