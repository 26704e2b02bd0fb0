// The Temporal server's own ceiling in the email bench: a workflow that starts and finishes at
// once, one workflow task, no activity. What no journey can beat on the same server.
export async function trivial(): Promise<void> {}
