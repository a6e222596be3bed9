'use client';
import { Monitor, Moon, Sun } from 'lucide-react';
import { useTheme } from '@/components/theme-provider';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Segmented } from '@/components/ui/segmented';
import type { ThemeChoice } from '@/lib/theme';

export function AppearanceCard() {
  const { choice, setTheme } = useTheme();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Appearance</CardTitle>
        <CardDescription>Light, dark, or whatever your system uses. Saved in this browser.</CardDescription>
      </CardHeader>
      <CardContent>
        <Segmented<ThemeChoice>
          label="Theme"
          value={choice}
          onChange={setTheme}
          options={[
            {
              value: 'light',
              label: (
                <>
                  <Sun aria-hidden="true" /> Light
                </>
              ),
            },
            {
              value: 'dark',
              label: (
                <>
                  <Moon aria-hidden="true" /> Dark
                </>
              ),
            },
            {
              value: 'system',
              label: (
                <>
                  <Monitor aria-hidden="true" /> System
                </>
              ),
            },
          ]}
        />
      </CardContent>
    </Card>
  );
}
