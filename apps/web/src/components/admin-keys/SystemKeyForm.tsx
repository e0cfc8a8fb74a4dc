import { zodResolver } from "@hookform/resolvers/zod";
import { createSystemKeyFormSchema, updateSystemKeyInputSchema } from "@keyhouse/shared";
import { useId } from "react";
import { Controller, useForm, useWatch, type Resolver } from "react-hook-form";
import { API_HELP, firstExpiryDay, type AdminKeyOptions, type AdminKeyRow } from "../../lib/admin-keys/format";
import { EMPTY_FORM, fieldOfError, formValuesOf, type SystemKeyField, type SystemKeyFormInput, type SystemKeyFormOutput } from "../../lib/admin-keys/form";
import { API_VALUES } from "../../lib/admin-keys/search";
import { errorBox, primaryButton, secondaryButton, textInput } from "../../lib/styles";
import { errorMessage, fieldErrorsOf } from "../../lib/trpc-errors";
import { AllowedNetworksField } from "../keys/AllowedNetworksField";
import { KeepOldValueField } from "../keys/KeepOldValueField";
import { checkbox, fieldError, fieldHint, fieldLabel } from "./styles";

const createResolver = zodResolver(createSystemKeyFormSchema) as unknown as Resolver<SystemKeyFormInput, unknown, SystemKeyFormOutput>;
const updateResolver = zodResolver(updateSystemKeyInputSchema) as unknown as Resolver<SystemKeyFormInput, unknown, SystemKeyFormOutput>;

export type SystemKeySubmit = (values: SystemKeyFormOutput, changed: { expiresAt: boolean }) => Promise<void>;

/**
 * ProGet's API key dialog: Key, Description, APIs, User, Feeds, logging and Expires.
 * Validates with the very schemas the BFF uses; a refusal from the server is shown on the
 * field it is about.
 */
export function SystemKeyForm({
  titleId,
  editing,
  options,
  onSubmit,
  onCancel,
}: {
  titleId: string;
  /** The key being edited; none when creating. */
  editing: AdminKeyRow | null;
  options: AdminKeyOptions | undefined;
  onSubmit: SystemKeySubmit;
  onCancel: () => void;
}) {
  const id = useId();
  const form = useForm<SystemKeyFormInput, unknown, SystemKeyFormOutput>({
    resolver: editing ? updateResolver : createResolver,
    defaultValues: editing ? formValuesOf(editing) : EMPTY_FORM,
  });
  const { errors, isSubmitting, dirtyFields } = form.formState;
  const keyMode = useWatch({ control: form.control, name: "keyMode" });

  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values, { expiresAt: Boolean(dirtyFields.expiresAt) });
    } catch (error) {
      const message = errorMessage(error);
      const field = fieldOfError(message, fieldErrorsOf(error));
      if (field) form.setError(field, { type: "server", message }, { shouldFocus: true });
      else form.setError("root.server", { type: "server", message });
    }
  });

  const fieldId = (name: SystemKeyField) => `${id}-${name}`;
  const errorOf = (name: SystemKeyField): string | undefined => {
    const e = errors[name] as { message?: string } | Array<{ message?: string } | undefined> | undefined;
    if (!e) return undefined;
    if (Array.isArray(e)) return e.find((x) => x?.message)?.message;
    return e.message;
  };
  const described = (name: SystemKeyField, hint = true) =>
    [hint ? `${fieldId(name)}-hint` : null, errorOf(name) ? `${fieldId(name)}-error` : null].filter(Boolean).join(" ") || undefined;
  const ErrorText = ({ name }: { name: SystemKeyField }) =>
    errorOf(name) ? (
      <p id={`${fieldId(name)}-error`} className={fieldError}>
        {errorOf(name)}
      </p>
    ) : null;

  const radio = (value: "keep" | "generate" | "custom", label: string, hint?: string) => (
    <div className="flex items-start gap-2">
      <input
        type="radio"
        id={`${fieldId("keyMode")}-${value}`}
        value={value}
        className={`${checkbox} mt-0.5 rounded-full`}
        aria-describedby={hint ? `${fieldId("keyMode")}-${value}-hint` : undefined}
        {...form.register("keyMode")}
      />
      <div>
        <label htmlFor={`${fieldId("keyMode")}-${value}`} className="text-sm font-medium text-gray-900">
          {label}
        </label>
        {hint && (
          <p id={`${fieldId("keyMode")}-${value}-hint`} className="text-sm text-gray-600">
            {hint}
          </p>
        )}
      </div>
    </div>
  );

  return (
    <form
      onSubmit={(event) => {
        if (isSubmitting) event.preventDefault();
        else void submit(event);
      }}
      noValidate
      className="flex flex-col"
    >
      <div className="space-y-5 p-5">
        <div>
          <h2 id={titleId} className="text-lg font-semibold text-gray-900">
            {editing ? "Edit system key" : "Create system key"}
          </h2>
          <p className="mt-1 text-sm text-gray-600">
            {editing ? (
              <>
                <span className="font-medium text-gray-900">{editing.name}</span>, key <span className="font-mono">{editing.hint}</span>
              </>
            ) : (
              "A key for scripts and integrations, made by an administrator. It belongs to no one; give it only the APIs and feeds it needs."
            )}
          </p>
        </div>

        {errors.root?.server && (
          <p role="alert" className={errorBox}>
            {errors.root.server.message}
          </p>
        )}

        <fieldset className="space-y-2" aria-describedby={errorOf("keyMode") ? `${fieldId("keyMode")}-error` : undefined}>
          <legend className={`${fieldLabel} mb-2`}>Key</legend>
          {editing && radio("keep", "Keep the current key", `Scripts using ${editing.hint} keep working.`)}
          {radio("generate", "Generate a key", "Keyhouse makes a random khk_ key that secret scanners recognise.")}
          {radio("custom", "Custom value", "Any value you choose, for tools that need a fixed key.")}
          {keyMode === "custom" && (
            <div className="pt-1 pl-6">
              <label htmlFor={fieldId("customKey")} className={fieldLabel}>
                Custom key value
              </label>
              <input
                id={fieldId("customKey")}
                type="text"
                autoComplete="off"
                autoCapitalize="none"
                autoCorrect="off"
                spellCheck={false}
                data-1p-ignore
                data-lpignore="true"
                aria-invalid={errorOf("customKey") ? true : undefined}
                aria-describedby={described("customKey")}
                className={`${textInput} mt-1 font-mono`}
                {...form.register("customKey", { shouldUnregister: true })}
              />
              <p id={`${fieldId("customKey")}-hint`} className={fieldHint}>
                At least 20 characters, no spaces. Treat it like a password: it is shown once and stored only as a hash.
              </p>
              <ErrorText name="customKey" />
            </div>
          )}
          {/* A new value for a key in use: rotation with overlap, as a scoped key's Regenerate offers. */}
          {editing && keyMode !== "keep" && (
            <Controller
              control={form.control}
              name="keepOldValueHours"
              shouldUnregister
              render={({ field }) => (
                <div className="pt-1 pl-6">
                  <KeepOldValueField value={field.value} onChange={field.onChange} onBlur={field.onBlur} />
                  <ErrorText name="keepOldValueHours" />
                </div>
              )}
            />
          )}
          <ErrorText name="keyMode" />
        </fieldset>

        <div>
          <label htmlFor={fieldId("description")} className={fieldLabel}>
            Description
          </label>
          <input
            id={fieldId("description")}
            type="text"
            autoComplete="off"
            aria-required={editing ? undefined : true}
            aria-invalid={errorOf("description") ? true : undefined}
            aria-describedby={described("description")}
            className={`${textInput} mt-1`}
            {...form.register("description")}
          />
          <p id={`${fieldId("description")}-hint`} className={fieldHint}>
            What the key is for. It names the key in the list.
          </p>
          <ErrorText name="description" />
        </div>

        <Controller
          control={form.control}
          name="apis"
          render={({ field }) => (
            <fieldset aria-describedby={described("apis", false)}>
              <legend className={`${fieldLabel} mb-2`}>APIs</legend>
              <div className="space-y-2">
                {API_VALUES.map((api, i) => (
                  <div key={api} className="flex items-start gap-2">
                    <input
                      ref={i === 0 ? field.ref : undefined}
                      type="checkbox"
                      id={`${fieldId("apis")}-${api}`}
                      checked={field.value?.includes(api) ?? false}
                      onChange={(event) => field.onChange(event.target.checked ? [...(field.value ?? []), api] : (field.value ?? []).filter((a) => a !== api))}
                      onBlur={field.onBlur}
                      aria-describedby={`${fieldId("apis")}-${api}-hint`}
                      className={`${checkbox} mt-0.5`}
                    />
                    <div>
                      <label htmlFor={`${fieldId("apis")}-${api}`} className="font-mono text-sm font-medium text-gray-900">
                        {api}
                      </label>
                      <p id={`${fieldId("apis")}-${api}-hint`} className={`text-sm ${api === "native" ? "text-amber-800" : "text-gray-600"}`}>
                        {API_HELP[api]}
                      </p>
                    </div>
                  </div>
                ))}
              </div>
              <ErrorText name="apis" />
            </fieldset>
          )}
        />

        <div>
          <label htmlFor={fieldId("user")} className={fieldLabel}>
            User
          </label>
          <select
            id={fieldId("user")}
            aria-invalid={errorOf("user") ? true : undefined}
            aria-describedby={described("user")}
            className={`${textInput} mt-1`}
            {...form.register("user")}
          >
            <option value="">API key user (every privilege)</option>
            {options?.users.map((u) => (
              <option key={u.id} value={u.username}>
                {u.username === u.displayName ? u.username : `${u.username} (${u.displayName})`}
              </option>
            ))}
            {/* The edited key's user, even if the options have not loaded. */}
            {editing?.user && !options?.users.some((u) => u.username === editing.user!.username) && (
              <option value={editing.user.username}>{editing.user.username}</option>
            )}
          </select>
          <p id={`${fieldId("user")}-hint`} className={fieldHint}>
            The key acts with this user&rsquo;s privileges. Without one it is the API key user: every privilege, limited only by its APIs and feeds.
          </p>
          <ErrorText name="user" />
        </div>

        <Controller
          control={form.control}
          name="feeds"
          render={({ field }) => (
            <fieldset aria-describedby={described("feeds")}>
              <legend className={`${fieldLabel} mb-2`}>Feeds</legend>
              <div className="flex flex-wrap gap-x-5 gap-y-2">
                {(options?.feeds ?? []).map((feed, i) => (
                  <div key={feed.name} className="flex items-center gap-2">
                    <input
                      ref={i === 0 ? field.ref : undefined}
                      type="checkbox"
                      id={`${fieldId("feeds")}-${feed.name}`}
                      checked={field.value?.includes(feed.name) ?? false}
                      onChange={(event) =>
                        field.onChange(event.target.checked ? [...(field.value ?? []), feed.name] : (field.value ?? []).filter((f) => f !== feed.name))
                      }
                      onBlur={field.onBlur}
                      className={checkbox}
                    />
                    <label htmlFor={`${fieldId("feeds")}-${feed.name}`} className="text-sm text-gray-900">
                      {feed.name} <span className="text-gray-500">({feed.type})</span>
                    </label>
                  </div>
                ))}
              </div>
              <p id={`${fieldId("feeds")}-hint`} className={fieldHint}>
                None checked: all feeds, including feeds added later.
              </p>
              <ErrorText name="feeds" />
            </fieldset>
          )}
        />

        <Controller
          control={form.control}
          name="allowedNetworks"
          render={({ field, fieldState }) => (
            <AllowedNetworksField value={field.value} onChange={field.onChange} onBlur={field.onBlur} error={fieldState.error} />
          )}
        />

        <fieldset className="space-y-2" aria-describedby={`${id}-logging-hint`}>
          <legend className={`${fieldLabel} mb-2`}>Logging</legend>
          {(["logRequestBody", "logResponseBody"] as const).map((name) => (
            <div key={name} className="flex items-center gap-2">
              <input type="checkbox" id={fieldId(name)} className={checkbox} {...form.register(name)} />
              <label htmlFor={fieldId(name)} className="text-sm text-gray-900">
                {name === "logRequestBody" ? "Log request body" : "Log response body"}
              </label>
            </div>
          ))}
          <p id={`${id}-logging-hint`} className={fieldHint}>
            Request metadata is always logged. Bodies help debugging but cost disk space and time on busy keys.
          </p>
        </fieldset>

        <div>
          <label htmlFor={fieldId("expiresAt")} className={fieldLabel}>
            Expires
          </label>
          <input
            id={fieldId("expiresAt")}
            type="date"
            min={firstExpiryDay()}
            aria-invalid={errorOf("expiresAt") ? true : undefined}
            aria-describedby={described("expiresAt")}
            className={`${textInput} mt-1 sm:max-w-56`}
            {...form.register("expiresAt")}
          />
          <p id={`${fieldId("expiresAt")}-hint`} className={fieldHint}>
            Empty: never expires. A date: the key stops working at the start of that day (UTC).
          </p>
          <ErrorText name="expiresAt" />
        </div>
      </div>

      <div className="sticky bottom-0 flex flex-col-reverse gap-2 border-t border-gray-200 bg-gray-50 px-5 py-3 sm:flex-row sm:justify-end">
        <button type="button" className={secondaryButton} onClick={() => !isSubmitting && onCancel()}>
          Cancel
        </button>
        <button type="submit" aria-disabled={isSubmitting} className={primaryButton}>
          {isSubmitting ? "Saving…" : editing ? "Save changes" : "Create key"}
        </button>
      </div>
    </form>
  );
}
