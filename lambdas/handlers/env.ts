/** Reads a required environment variable, failing the cold start with the variable's name. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set: the stack sets it; locally, export it`);
  }
  return value;
}
