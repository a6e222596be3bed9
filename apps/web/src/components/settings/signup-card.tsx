'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { Switch } from '@/components/ui/switch';
import { useTRPC } from '@/trpc/react';

/** Admins only: whether anyone may create an account, or only invited addresses. */
export function SignupCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const state = useQuery(trpc.system.signupOpen.queryOptions());
  const set = useMutation(
    trpc.system.setSignupOpen.mutationOptions({
      onSuccess: ({ open }) => {
        toast.success(open ? 'Sign-up is open' : 'Sign-up is closed');
        void queryClient.invalidateQueries({ queryKey: trpc.system.signupOpen.queryKey() });
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sign-up</CardTitle>
        <CardDescription>When closed, only people invited to a team can create an account.</CardDescription>
      </CardHeader>
      <CardContent className="flex items-center justify-between gap-4">
        <Label htmlFor="signup-open">Anyone can sign up</Label>
        <Switch
          id="signup-open"
          checked={state.data?.open ?? false}
          disabled={state.isPending || set.isPending}
          onCheckedChange={(open) => set.mutate({ open })}
        />
      </CardContent>
    </Card>
  );
}
