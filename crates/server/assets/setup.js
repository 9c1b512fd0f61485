// The printed setup link is /setup#CODE: the code travels in the fragment so that it never reaches
// a server log or a Referer. Copy it into the form, then drop it from the address bar and history.
const hash = location.hash.slice(1);
if (hash) {
  const field = document.getElementById('setup_code');
  let code = hash;
  try { code = decodeURIComponent(hash); } catch { /* keep it raw */ }
  if (field && !field.value) field.value = code.trim();
  history.replaceState(null, '', location.pathname + location.search);
}
