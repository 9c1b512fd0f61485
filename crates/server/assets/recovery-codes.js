// The recovery codes, shown once (security and enrolment pages): copy them, or print them alone.
// The download link and the "I have kept them" box work without this script; it only adds the
// two buttons that need it, and says what happened in the page's language.
const box = document.getElementById('codes-box');
if (box) {
  const codes = [...box.querySelectorAll('#recovery-codes code')].map((c) => c.textContent.trim());
  const said = document.getElementById('codes-said');
  const copy = document.getElementById('codes-copy');
  const print = document.getElementById('codes-print');
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(codes.join('\n') + '\n');
        said.textContent = box.dataset.copied;
      } catch {
        said.textContent = box.dataset.notCopied;
      }
    });
  }
  if (print) {
    print.hidden = false;
    print.addEventListener('click', () => window.print());
  }
}
