'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound, Trash2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { Field } from '@/components/auth/field';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Skeleton } from '@/components/ui/skeleton';
import { useTRPC } from '@/trpc/react';
import { NewApiKeyDialog } from './new-api-key-dialog';

const day = (date: Date | null) =>
  date ? date.toLocaleDateString(undefined, { dateStyle: 'medium' }) : null;

/** Keys for scripts and the CLI: create (shown once), list with last use, revoke. */
export function ApiKeysCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (key) => {
        setCreated({ name: key.name ?? name, key: key.key });
        setName('');
        void refresh();
      },
      onError: (e) => setError(e.message),
    }),
  );
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: () => toast.success('API key revoked'),
      onError: (e) => toast.error(e.message),
      onSettled: refresh,
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('Name the key after where it is used, e.g. "render script"');
    setError(undefined);
    create.mutate({ name: name.trim() });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>API keys</CardTitle>
        <CardDescription>
          For scripts and the API: send one as Authorization: Bearer &lt;key&gt;.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <form
          onSubmit={submit}
          className="flex flex-col gap-2 sm:flex-row sm:items-start sm:gap-3"
          noValidate
        >
          <div className="flex-1">
            <Field
              id="api-key-name"
              label="Key name"
              placeholder="render script"
              value={name}
              maxLength={64}
              error={error}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <Button type="submit" className="sm:mt-6" disabled={create.isPending}>
            <KeyRound aria-hidden="true" />
            Create key
          </Button>
        </form>
        {keys.isPending ? (
          <Skeleton className="h-14 w-full" />
        ) : keys.isError ? (
          <p className="text-sm text-destructive">{keys.error.message}</p>
        ) : keys.data.length === 0 ? (
          <p className="rounded-lg border border-dashed p-4 text-center text-sm text-muted-foreground">
            No API keys yet.
          </p>
        ) : (
          <ul className="divide-y rounded-lg border" aria-label="API keys">
            {keys.data.map((key) => (
              <li key={key.id} className="flex items-center gap-3 px-4 py-3">
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium">{key.name ?? 'Unnamed key'}</p>
                  <p className="text-xs text-muted-foreground">
                    {[
                      key.start ? `${key.start}…` : null,
                      `created ${day(key.createdAt)}`,
                      key.lastRequest ? `last used ${day(key.lastRequest)}` : 'never used',
                      key.expiresAt ? `expires ${day(key.expiresAt)}` : null,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </p>
                </div>
                <ConfirmButton
                  title={`Revoke “${key.name ?? 'Unnamed key'}”?`}
                  description="Scripts using it stop working at once. This cannot be undone."
                  confirm="Revoke key"
                  onConfirm={() => revoke.mutate({ id: key.id })}
                >
                  <Button variant="ghost" size="sm" aria-label={`Revoke ${key.name ?? 'key'}`}>
                    <Trash2 aria-hidden="true" />
                    <span className="hidden sm:inline">Revoke</span>
                  </Button>
                </ConfirmButton>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
      <NewApiKeyDialog created={created} onClose={() => setCreated(null)} />
    </Card>
  );
}
