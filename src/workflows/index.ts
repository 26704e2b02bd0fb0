// The one workflowsPath barrel: every workflow the worker runs is exported from here.
export {};
