import type { Api } from "@keyhouse/shared";
import { useQuery } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { secondaryButton } from "../../lib/styles";
import { ecosystemLabel, usageSnippets, type Snippet } from "../../lib/usage-snippets";
import { useTRPC } from "../../trpc";
import { CopyFeedback } from "./CopyFeedback";

/** What the snippets need to know about a key (never its value). */
export type UsageKey = { feeds: readonly string[] | null; apis: readonly Api[] };

function SnippetBlock({ snippet, level }: { snippet: Snippet; level: 3 | 4 }) {
  const Title = level === 3 ? "h3" : "h4";
  const id = useId();
  const preRef = useRef<HTMLPreElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  async function copyText() {
    try {
      await navigator.clipboard.writeText(snippet.text);
      setCopy("copied");
    } catch {
      // No clipboard access: select the text so it can be copied by hand.
      setCopy("failed");
      const pre = preRef.current;
      if (pre) window.getSelection()?.selectAllChildren(pre);
    }
  }

  return (
    <div className="min-w-0">
      <div className="mb-1 flex items-center justify-between gap-2">
        <Title id={`${id}-title`} className="font-mono text-xs font-semibold text-gray-800">
          {snippet.title}
          {snippet.feed && <span className="font-sans font-normal text-gray-500"> · feed {snippet.feed}</span>}
        </Title>
        <button type="button" aria-label={snippet.copyLabel} className={`${secondaryButton} shrink-0 px-2 py-1 text-xs`} onClick={() => void copyText()}>
          Copy
        </button>
      </div>
      {/* Wraps rather than scrolls, so a phone shows the whole line. */}
      <pre
        ref={preRef}
        aria-labelledby={`${id}-title`}
        className="overflow-x-auto rounded-md border border-gray-200 bg-gray-900 p-2 font-mono text-xs break-all whitespace-pre-wrap text-gray-50"
      >
        {snippet.text}
      </pre>
      <CopyFeedback copy={copy} copied={`Copied ${snippet.title}`} what="text" small />
    </div>
  );
}

/**
 * Set-up for each client of the key's feeds, with the real URLs. `value` is given only by
 * the reveal; everywhere else a placeholder stands in (docs/presenting-keys.md). The value
 * stays a prop: the query below fetches only the base URL and the feeds.
 */
export function UsageGuide({
  usageKey,
  value,
  headingLevel = 3,
  heading = "How to use this key",
}: {
  usageKey: UsageKey;
  value?: string;
  headingLevel?: 2 | 3;
  heading?: string;
}) {
  const trpc = useTRPC();
  const usage = useQuery(trpc.keys.usage.queryOptions());
  const id = useId();
  if (usage.isPending) return <p className="text-sm text-gray-600">Loading set-up instructions…</p>;
  if (usage.isError) return <p className="text-sm text-red-700">Could not load the set-up instructions.</p>;
  const baseUrl = usage.data.publicUrl ?? window.location.origin;
  const snippets = usageSnippets({ baseUrl, feeds: usage.data.feeds, keyFeeds: usageKey.feeds, apis: usageKey.apis, value });
  const groups = [...new Set(snippets.map((s) => s.ecosystem))];
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section aria-labelledby={`${id}-heading`} className="min-w-0 space-y-3">
      <Heading id={`${id}-heading`} className="text-base font-semibold text-gray-900">
        {heading}
      </Heading>
      {snippets.length === 0 ? (
        <p className="text-sm text-gray-600">This key reaches no feed and no API.</p>
      ) : (
        groups.map((group) => (
          <div key={group} className="space-y-2">
            <p className="text-sm font-medium text-gray-700">{ecosystemLabel(group)}</p>
            {snippets
              .filter((s) => s.ecosystem === group)
              .map((s) => (
                <SnippetBlock key={s.id} snippet={s} level={headingLevel === 2 ? 3 : 4} />
              ))}
          </div>
        ))
      )}
      {!value && <p className="text-xs text-gray-600">Replace &lt;YOUR_API_KEY&gt; with the key you copied when it was generated.</p>}
    </section>
  );
}
