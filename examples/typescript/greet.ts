// A TypeScript function with an optional parameter: `with: {name}` leaves `greeting` to its
// default (the call's context never lands in it; see docs/workflows.md "Arguments").
export async function greet(name: string, greeting: string = 'Hello'): Promise<string> {
  return `${greeting}, ${name}!`;
}
