import { MessagePage } from "./MessagePage";

export function AccessDenied() {
  return <MessagePage title="Access denied" message="This page is for administrators." link={{ to: "/account/api-keys", label: "Go to your API keys" }} />;
}
