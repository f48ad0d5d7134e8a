/* RFC 3339 timestamps, as trusted roots and protobuf JSON write them
 * ("2021-01-12T11:53:27.000Z").
 *
 * SPEC: RFC 3339 §5.6 date-time: full-date "T" full-time, time-offset "Z"
 * or +hh:mm/-hh:mm (the lowercase "t" and "z" of the §5.6 note allowed);
 * time-secfrac of any length, dropped; seconds 60 (a leap second) allowed,
 * counted as the next minute's first second, as timegm() would. Proleptic
 * Gregorian calendar, computed here rather than with timegm() so that no
 * locale or TZ setting is involved. */
#include "../internal.h"
#include "crypto.h"

/* n ASCII digits at *s, advancing it. */
static bool num(const char **s, int n, int *out)
{
  int v = 0;
  for(int i = 0; i < n; i++) {
    char c = (*s)[i];
    if(c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  *s += n;
  *out = v;
  return true;
}

static bool lit(const char **s, char a, char b)
{
  if(**s != a && **s != b)
    return false;
  (*s)++;
  return true;
}

static bool leap(int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool brinei_parse_rfc3339(const char *s, time_t *out)
{
  static const int mdays[12] = { 31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31 };
  int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
  int64_t t;
  if(!num(&s, 4, &y) || !lit(&s, '-', '-') || !num(&s, 2, &mo) ||
     !lit(&s, '-', '-') || !num(&s, 2, &d) || !lit(&s, 'T', 't') ||
     !num(&s, 2, &h) || !lit(&s, ':', ':') || !num(&s, 2, &mi) ||
     !lit(&s, ':', ':') || !num(&s, 2, &sec))
    return false;
  if(*s == '.') {
    s++;
    if(*s < '0' || *s > '9')
      return false;
    while(*s >= '0' && *s <= '9')
      s++;
  }
  if(*s == 'Z' || *s == 'z')
    s++;
  else if(*s == '+' || *s == '-') {
    sign = *s++ == '+' ? 1 : -1;
    if(!num(&s, 2, &oh) || !lit(&s, ':', ':') || !num(&s, 2, &om) ||
       oh > 23 || om > 59)
      return false;
  }
  else
    return false;
  if(*s)
    return false;
  if(mo < 1 || mo > 12 || d < 1 ||
     d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 ||
     sec > 60)
    return false;
  t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  t -= sign * (oh * 3600 + om * 60);  /* local time = UTC + offset */
  *out = (time_t)t;
  return true;
}
