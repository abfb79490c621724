import { structuredPatch } from 'diff';

const pretty = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** The registry's change as a unified diff of its pretty JSON: changed lines with three lines of context. */
export function JsonDiff({ before, after, label }) {
  const patch = structuredPatch('before', 'after', pretty(before), pretty(after), '', '', { context: 3 });
  if (patch.hunks.length === 0) return <p class="muted">No change to the registry.</p>;
  return (
    <pre class="diff" aria-label={label ?? 'Registry diff'} data-testid="diff">
      {patch.hunks.map((hunk) => (
        <>
          <span class="hunk">@@ line {hunk.newStart} @@{'\n'}</span>
          {hunk.lines.map((line) => {
            const kind = line[0] === '+' ? 'add' : line[0] === '-' ? 'del' : 'same';
            return <span class={kind}>{line}{'\n'}</span>;
          })}
        </>
      ))}
    </pre>
  );
}
