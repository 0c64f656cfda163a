// The what-if tokens a dm table line may end with: not dmsetup syntax and not upstream
// behaviour, each reported in the trace when it takes effect. Shared by dm core's table parser
// and the page's setup editor, which must read a table line the same way.

/** Makes that target pass copies although neither series lets it (dm/core.ts copyRefusal). */
export const WHAT_IF_COPY_TOKEN = "what-if=copy_offload";
/** Makes a delay target resubmit its expired bios inside one plug (dm/delay.ts). */
export const WHAT_IF_PLUG_TOKEN = "what-if=plug";
export const WHAT_IF_TOKENS: readonly string[] = [WHAT_IF_COPY_TOKEN, WHAT_IF_PLUG_TOKEN];
