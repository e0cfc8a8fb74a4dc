// The documents of the v2 feed as WCF Data Services (and so NuGet 2.x) read them: the
// service document, $metadata, and Atom feeds and entries of V2FeedPackage. The client
// maps Id to <title>, Authors to <author><name>, Summary to <summary> and LastUpdated to
// <updated>; the rest it reads from <m:properties>.
import { PROPERTIES, type EdmType, type V2Package } from "./package-entry.ts";

const NS =
  'xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"';

export function xml(text: string): string {
  // Characters XML 1.0 cannot hold at all become U+FFFD.
  return text
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const odataString = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const entityPath = (p: { Id: string; Version: string }) => `Packages(Id=${odataString(p.Id)},Version=${odataString(p.Version)})`;
/** Edm.DateTime as WCF writes it: no zone, UTC by convention. */
export const edmDate = (d: Date) => d.toISOString().replace(/(\.000)?Z$/, "");

export function serviceDocument(root: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<service xml:base="${xml(root)}" xmlns="http://www.w3.org/2007/app" xmlns:atom="http://www.w3.org/2005/Atom"><workspace><atom:title>Default</atom:title><collection href="Packages"><atom:title>Packages</atom:title></collection></workspace></service>`;
}

const FUNCTIONS = `<FunctionImport Name="Search" ReturnType="Collection(NuGetGallery.OData.V2FeedPackage)" EntitySet="Packages" m:HttpMethod="GET"><Parameter Name="searchTerm" Type="Edm.String" Mode="In"/><Parameter Name="targetFramework" Type="Edm.String" Mode="In"/><Parameter Name="includePrerelease" Type="Edm.Boolean" Mode="In"/></FunctionImport><FunctionImport Name="FindPackagesById" ReturnType="Collection(NuGetGallery.OData.V2FeedPackage)" EntitySet="Packages" m:HttpMethod="GET"><Parameter Name="id" Type="Edm.String" Mode="In"/></FunctionImport><FunctionImport Name="GetUpdates" ReturnType="Collection(NuGetGallery.OData.V2FeedPackage)" EntitySet="Packages" m:HttpMethod="GET"><Parameter Name="packageIds" Type="Edm.String" Mode="In"/><Parameter Name="versions" Type="Edm.String" Mode="In"/><Parameter Name="includePrerelease" Type="Edm.Boolean" Mode="In"/><Parameter Name="includeAllVersions" Type="Edm.Boolean" Mode="In"/><Parameter Name="targetFrameworks" Type="Edm.String" Mode="In"/><Parameter Name="versionConstraints" Type="Edm.String" Mode="In"/></FunctionImport>`;

export function metadataDocument(): string {
  const props = PROPERTIES.map(([name, type]) => {
    const nullable =
      name === "Id" ||
      name === "Version" ||
      type === "Edm.Boolean" ||
      type === "Edm.Int32" ||
      type === "Edm.Int64" ||
      (type === "Edm.DateTime" && name !== "LastEdited")
        ? "false"
        : "true";
    return `<Property Name="${name}" Type="${type}" Nullable="${nullable}"/>`;
  }).join("");
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx"><edmx:DataServices m:DataServiceVersion="2.0" m:MaxDataServiceVersion="2.0" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><Schema Namespace="NuGetGallery.OData" xmlns="http://schemas.microsoft.com/ado/2006/04/edm"><EntityType Name="V2FeedPackage" m:HasStream="true"><Key><PropertyRef Name="Id"/><PropertyRef Name="Version"/></Key>${props}</EntityType></Schema><Schema Namespace="NuGetGallery" xmlns="http://schemas.microsoft.com/ado/2006/04/edm"><EntityContainer Name="V2FeedContext" m:IsDefaultEntityContainer="true"><EntitySet Name="Packages" EntityType="NuGetGallery.OData.V2FeedPackage"/>${FUNCTIONS}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}

function property(name: string, type: EdmType, value: V2Package[keyof V2Package]): string {
  const typeAttr = type === "Edm.String" ? "" : ` m:type="${type}"`;
  if (value === null) return `<d:${name}${typeAttr} m:null="true"/>`;
  const text = value instanceof Date ? edmDate(value) : String(value);
  return `<d:${name}${typeAttr}>${xml(text)}</d:${name}>`;
}

export type EntryContext = { root: string; downloadUrl: (p: V2Package) => string; select: string[] | null; updated: string };

export function entry(p: V2Package, c: EntryContext, standalone = false): string {
  const path = entityPath(p);
  const props = PROPERTIES.filter(([name]) => !c.select || c.select.includes(name))
    .map(([name, type]) => property(name, type, p[name]))
    .join("");
  const head = standalone ? `<?xml version="1.0" encoding="utf-8"?>\n<entry xml:base="${xml(c.root)}" ${NS}>` : "<entry>";
  return `${head}<id>${xml(c.root + path)}</id><category term="NuGetGallery.OData.V2FeedPackage" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/><link rel="edit" title="V2FeedPackage" href="${xml(path)}"/><title type="text">${xml(p.Id)}</title><summary type="text">${xml(p.Summary)}</summary><updated>${p.LastUpdated.toISOString()}</updated><author><name>${xml(p.Authors)}</name></author><link rel="edit-media" title="V2FeedPackage" href="${xml(path)}/$value"/><content type="application/zip" src="${xml(c.downloadUrl(p))}"/><m:properties>${props}</m:properties></entry>`;
}

export function feed(title: string, selfPath: string, entries: V2Package[], c: EntryContext, extra: { count?: number; next?: string }): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xml:base="${xml(c.root)}" ${NS}>${extra.count === undefined ? "" : `<m:count>${extra.count}</m:count>`}<id>${xml(c.root + selfPath)}</id><title type="text">${xml(title)}</title><updated>${c.updated}</updated><link rel="self" title="${xml(title)}" href="${xml(selfPath)}"/>${entries.map((p) => entry(p, c)).join("")}${extra.next ? `<link rel="next" href="${xml(extra.next)}"/>` : ""}</feed>`;
}
