import { zodResolver } from "@hookform/resolvers/zod";
import { loginInputSchema } from "@keyhouse/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useForm } from "react-hook-form";
import { switchSession } from "../lib/session";
import { primaryButton, textInput } from "../lib/styles";
import { errorMessage, fieldErrorsOf } from "../lib/trpc-errors";
import { useTRPC } from "../trpc";

const FIELDS = ["username", "password"] as const;
type Field = (typeof FIELDS)[number];
const isField = (path: string): path is Field => (FIELDS as readonly string[]).includes(path);

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
        const known = Object.entries(fieldErrorsOf(error)).filter(([path]) => isField(path));
        for (const [path, message] of known) form.setError(path as Field, { type: "server", message });
        // Wrong password, throttling and the like are about the whole form: say them once, above it.
        setFormError(known.length > 0 ? null : errorMessage(error));
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
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          {formError}
        </p>
      )}
      <div>
        <label htmlFor={usernameId} className="mb-1 block text-sm font-medium text-gray-900">
          User name
        </label>
        <input
          id={usernameId}
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          required
          aria-invalid={errors.username ? true : undefined}
          aria-describedby={errors.username ? `${usernameId}-error` : undefined}
          className={textInput}
          {...form.register("username")}
        />
        {errors.username && (
          <p id={`${usernameId}-error`} className="mt-1 text-sm text-red-700">
            {errors.username.message}
          </p>
        )}
      </div>
      <div>
        <label htmlFor={passwordId} className="mb-1 block text-sm font-medium text-gray-900">
          Password
        </label>
        <input
          id={passwordId}
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={errors.password ? `${passwordId}-error` : undefined}
          className={textInput}
          {...form.register("password")}
        />
        {errors.password && (
          <p id={`${passwordId}-error`} className="mt-1 text-sm text-red-700">
            {errors.password.message}
          </p>
        )}
      </div>
      <button type="submit" aria-disabled={login.isPending} className={`${primaryButton} w-full`}>
        Sign in
      </button>
    </form>
  );
}
