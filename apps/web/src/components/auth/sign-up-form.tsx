'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { authClient } from '@/lib/auth-client';
import { Field } from './field';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The server's limits (packages/api/src/auth.ts). */
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 256;

type Errors = Partial<Record<'name' | 'email' | 'password', string>>;

function check(name: string, email: string, password: string): Errors {
  return {
    name: name ? undefined : 'Enter your name',
    email: EMAIL.test(email) ? undefined : 'Enter a valid email address',
    password:
      password.length < MIN_PASSWORD
        ? `Use at least ${MIN_PASSWORD} characters`
        : password.length > MAX_PASSWORD
          ? `Use at most ${MAX_PASSWORD} characters`
          : undefined,
  };
}

export function SignUpForm({ submitLabel }: { submitLabel: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<Errors>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const found = check(name, email, password);
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    setPending(true);
    const { error } = await authClient.signUp.email({ name, email, password });
    if (error) {
      setPending(false);
      toast.error(error.message ?? 'Could not create the account');
      return;
    }
    router.replace('/');
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-2">
      <Field id="name" name="name" label="Name" autoComplete="name" error={errors.name} />
      <Field id="email" name="email" type="email" label="Email" autoComplete="email" error={errors.email} />
      <Field
        id="password"
        name="password"
        type="password"
        label="Password"
        autoComplete="new-password"
        hint={`At least ${MIN_PASSWORD} characters.`}
        error={errors.password}
      />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? <Spinner /> : null}
        {pending ? 'Creating account…' : submitLabel}
      </Button>
      <p className="pt-4 text-center text-sm text-muted-foreground">
        Already have an account?{' '}
        <Link href="/sign-in" className="font-medium text-primary underline-offset-4 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
