/** Argo writes metav1.Time: RFC 3339 with second precision. */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  // Every node event formats "now": most calls fall in the same second as the one before.
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastText;
}

let lastSecond = Number.NaN;
let lastText = '';
