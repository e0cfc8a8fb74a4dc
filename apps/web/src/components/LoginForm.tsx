import { zodResolver } from "@hookform/resolvers/zod";
import { loginInputSchema } from "@keyhouse/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useForm } from "react-hook-form";
import { switchSession } from "../lib/session";
import { errorBox, primaryButton, textInput } from "../lib/styles";
import { formErrorOf } from "../lib/trpc-errors";
import { useTRPC } from "../trpc";
import { controlProps, FormField } from "./FormField";

const FIELDS = ["username", "password"] as const;

export function LoginForm({ onSignedIn }: { onSignedIn: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [formError, setFormError] = useState<string | null>(null);

  const form = useForm({
    resolver: zodResolver(loginInputSchema),
    defaultValues: { username: "", password: "" },
  });
  const { errors } = form.formState;

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (session) => {
        switchSession({ queryClient, trpc }, session);
        onSignedIn();
      },
      onError: (error) => {
        // Wrong password, throttling and the like are about the whole form: say them once, above it.
        setFormError(formErrorOf(error, FIELDS, (field, message) => form.setError(field, { type: "server", message })));
      },
    }),
  );

  const onSubmit = form.handleSubmit((values) => {
    if (login.isPending) return;
    setFormError(null);
    login.mutate(values);
  });

  const usernameId = `${id}-username`;
  const passwordId = `${id}-password`;

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-4 rounded-md border border-gray-200 bg-gray-50 p-5">
      {formError && (
        <p role="alert" className={errorBox}>
          {formError}
        </p>
      )}
      <FormField id={usernameId} label="User name" error={errors.username?.message}>
        <input
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          required
          {...controlProps(usernameId, errors.username?.message)}
          className={textInput}
          {...form.register("username")}
        />
      </FormField>
      <FormField id={passwordId} label="Password" error={errors.password?.message}>
        <input
          type="password"
          autoComplete="current-password"
          required
          {...controlProps(passwordId, errors.password?.message)}
          className={textInput}
          {...form.register("password")}
        />
      </FormField>
      <button type="submit" aria-disabled={login.isPending} className={`${primaryButton} w-full`}>
        Sign in
      </button>
    </form>
  );
}
