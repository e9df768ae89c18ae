// A script for `braid exec`: untrusted code, run in a fresh sandbox.
//
//   ./braid exec --lang js examples/scripts/hello.mjs --input '{"name": "Ada"}'
export async function main(inp) {
  const name = inp?.name ?? 'world';
  return { greeting: `hello ${name}`, letters: name.length };
}
