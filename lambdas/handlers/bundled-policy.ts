/**
 * The policy the stack bundles into the scorer's code: esbuild replaces this identifier with the
 * policy's JSON text at synth (NodejsFunction `define`), so the first-deploy policy travels in the
 * code asset, not in the 4 KB Lambda environment. AppConfig stays the source at run time; this
 * only bridges a new stack's first rollout, before AppConfig has a deployed version.
 */
export const BUNDLED_POLICY_IDENTIFIER = 'CAUTERIZE_BUNDLED_POLICY_JSON';

declare const CAUTERIZE_BUNDLED_POLICY_JSON: string | undefined;

/** The bundled policy's JSON, or undefined when the handler runs from source (local runs, tests). */
export function bundledPolicyJson(): string | undefined {
  return typeof CAUTERIZE_BUNDLED_POLICY_JSON === 'string' ? CAUTERIZE_BUNDLED_POLICY_JSON : undefined;
}
