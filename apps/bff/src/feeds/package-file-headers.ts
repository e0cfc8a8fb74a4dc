// Files taken from packages (.nupkg, .nuspec, tarballs, gems) are whatever their pushers
// wrote: a .nuspec may hold markup and script. They are served so that a browser saves them
// instead of rendering them as a page of this origin (docs/threat-model.md): as an
// attachment, sandboxed with no resources allowed should one be opened, never sniffed.

/** Only characters no header or file system gives meaning to; the rest become "_". */
function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 200) || "package";
}

export function packageFileHeaders(fileName: string): Record<string, string> {
  return {
    "Content-Disposition": `attachment; filename="${safeFileName(fileName)}"`,
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "X-Content-Type-Options": "nosniff",
  };
}
