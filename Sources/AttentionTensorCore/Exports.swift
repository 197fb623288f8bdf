// Every module that imports the tensor core gets the package's support too: the `precondition` that keeps its
// message in optimised builds above all (a module that forgot the import would silently use the standard one).
// Its declarations are all `package`, so nothing of it reaches the public API.
@_exported import AttentionSupport
