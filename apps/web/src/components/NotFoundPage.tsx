import { MessagePage } from "./MessagePage";

export function NotFoundPage() {
  return (
    <MessagePage
      title="Page not found"
      message="There is nothing at this address. Check the link, or start again from the home page."
      link={{ to: "/", label: "Go to the home page" }}
    />
  );
}
