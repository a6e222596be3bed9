'use client';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { Field } from '@/components/auth/field';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { authClient } from '@/lib/auth-client';

/** Name (editable through better-auth's update-user), email and role. */
export function AccountCard({ user }: { user: { name: string; email: string; role: 'admin' | 'user' } }) {
  const router = useRouter();
  const [name, setName] = useState(user.name);
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Enter your name');
    setError(undefined);
    setSaving(true);
    const result = await authClient.updateUser({ name: trimmed });
    setSaving(false);
    if (result.error) return setError(result.error.message ?? 'Could not save your name');
    toast.success('Name saved');
    router.refresh(); // the shell's account menu shows the name from the server
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Profile
          <Badge variant={user.role === 'admin' ? 'default' : 'secondary'}>
            {user.role === 'admin' ? 'Administrator' : 'Member'}
          </Badge>
        </CardTitle>
        <CardDescription>Signed in as {user.email}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} className="flex flex-col gap-2 sm:flex-row sm:items-start sm:gap-3" noValidate>
          <div className="flex-1">
            <Field
              id="account-name"
              label="Name"
              value={name}
              autoComplete="name"
              error={error}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <Button
            type="submit"
            variant="outline"
            className="sm:mt-6"
            disabled={saving || name.trim() === user.name}
          >
            Save name
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
