'use client';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { Field } from '@/components/auth/field';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { authClient } from '@/lib/auth-client';

type Errors = Partial<Record<'current' | 'next' | 'repeat', string>>;

/** better-auth's change-password: needs the current password; signs out the other sessions. */
export function PasswordCard() {
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);

  async function change(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const current = String(data.get('current') ?? '');
    const next = String(data.get('next') ?? '');
    const found: Errors = {};
    if (!current) found.current = 'Enter your current password';
    if (next.length < 8) found.next = 'Use at least 8 characters';
    if (String(data.get('repeat') ?? '') !== next) found.repeat = 'The passwords differ';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    const result = await authClient.changePassword({
      currentPassword: current,
      newPassword: next,
      revokeOtherSessions: true,
    });
    setSaving(false);
    if (result.error) {
      const wrong = result.error.code === 'INVALID_PASSWORD';
      setErrors(wrong ? { current: 'This is not your current password' } : { next: result.error.message });
      return;
    }
    form.reset();
    toast.success('Password changed; other devices are signed out');
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Password</CardTitle>
        <CardDescription>Changing it signs you out everywhere else.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={change} className="grid gap-x-4 sm:grid-cols-3" noValidate>
          <Field
            id="password-current"
            name="current"
            type="password"
            label="Current password"
            autoComplete="current-password"
            error={errors.current}
          />
          <Field
            id="password-next"
            name="next"
            type="password"
            label="New password"
            autoComplete="new-password"
            error={errors.next}
          />
          <Field
            id="password-repeat"
            name="repeat"
            type="password"
            label="Repeat new password"
            autoComplete="new-password"
            error={errors.repeat}
          />
          <div className="sm:col-span-3">
            <Button type="submit" variant="outline" disabled={saving}>
              Change password
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
