import { expect } from 'chai';
import { parseConfig, parseStatusConfig } from '../../../src/config/config.js';
import { EVENTS_SCHEDULE, parseEventsQueueUrl } from '../../../src/config/events-queue.js';
import { EVENT_MODE_HEALTH_MAX_AGE } from '../../../src/config/settings.js';
import { ConfigError } from '../../../src/shared/errors.js';
import { problemsOf } from './config-problems.js';

describe('parseEventsQueueUrl', () => {
  const accepted: { url: string; region: string; name?: string }[] = [
    { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/guacamole-ec2-events', region: 'us-east-1' },
    { url: 'https://sqs.eu-central-2.amazonaws.com/123456789012/events.fifo', region: 'eu-central-2', name: 'events.fifo' },
    { url: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/events', region: 'cn-north-1' },
    { url: 'https://sqs.us-gov-west-1.amazonaws.com/123456789012/events', region: 'us-gov-west-1' },
    { url: 'https://sqs-fips.us-east-2.amazonaws.com/123456789012/events', region: 'us-east-2' },
    { url: 'https://vpce-0a1b2c3d4e5f-abcdefgh.sqs.ap-south-1.vpce.amazonaws.com/123456789012/events', region: 'ap-south-1' },
    { url: 'https://eu-west-1.queue.amazonaws.com/123456789012/events', region: 'eu-west-1' },
    { url: 'https://queue.amazonaws.com/123456789012/events', region: 'us-east-1' },
    { url: 'http://127.0.0.1:4566/111111111111/events', region: 'us-east-1' },
    { url: 'http://localhost:9324/111111111111/events', region: 'us-east-1' },
    { url: `https://sqs.us-east-1.amazonaws.com/123456789012/${'q'.repeat(80)}`, region: 'us-east-1' },
  ];
  for (const c of accepted) {
    it(`accepts ${c.url.slice(0, 90)}`, () => {
      const parsed = parseEventsQueueUrl(c.url);
      expect(parsed).to.have.property('value');
      if ('value' in parsed) {
        expect(parsed.value).to.include({ url: c.url, region: c.region, accountId: /\/(\d{12})\//.exec(c.url)?.[1] });
        expect(parsed.value.name).to.equal(c.name ?? /[^/]+$/.exec(c.url)?.[0]);
      }
    });
  }

  const refused: { title: string; url: string; problem: RegExp }[] = [
    { title: 'not a URL', url: 'guacamole-ec2-events', problem: /^not a URL/ },
    { title: 'plain http to AWS', url: 'http://sqs.us-east-1.amazonaws.com/123456789012/events', problem: /must use https/ },
    { title: 'another scheme', url: 'ftp://sqs.us-east-1.amazonaws.com/123456789012/events', problem: /must use https/ },
    { title: 'an ARN instead of a URL', url: 'arn:aws:sqs:us-east-1:123456789012:events', problem: /must use https/ },
    { title: 'a queue name only', url: 'https://sqs.us-east-1.amazonaws.com/events', problem: /the path is not/ },
    { title: 'a short account id', url: 'https://sqs.us-east-1.amazonaws.com/12345/events', problem: /the path is not/ },
    { title: 'a trailing slash', url: 'https://sqs.us-east-1.amazonaws.com/123456789012/events/', problem: /the path is not/ },
    { title: 'a name too long', url: `https://sqs.us-east-1.amazonaws.com/123456789012/${'q'.repeat(81)}`, problem: /the path is not/ },
    { title: 'a name with a dot', url: 'https://sqs.us-east-1.amazonaws.com/123456789012/my.events', problem: /the path is not/ },
    { title: 'a query', url: 'https://sqs.us-east-1.amazonaws.com/123456789012/events?x=1', problem: /query or fragment/ },
    { title: 'a host without a region', url: 'https://sqs.amazonaws.com/123456789012/events', problem: /region from its host/ },
    { title: 'a custom host', url: 'https://queues.example.com/123456789012/events', problem: /region from its host/ },
    { title: 'a region that is not one', url: 'https://sqs.useast1.amazonaws.com/123456789012/events', problem: /region from its host/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.title}`, () => {
      expect(parseEventsQueueUrl(c.url)).to.have.property('problem').that.matches(c.problem);
    });
  }

  it('never quotes the value (a URL may carry a password)', () => {
    const parsed = parseEventsQueueUrl('https://user:s3cr3t-pw@sqs.us-east-1.amazonaws.com/123456789012/events');
    expect(parsed).to.deep.equal({ problem: 'must not hold a user name or password' });
  });
});

describe('parseConfig: AWS_DISCOVERY_EVENTS_QUEUE_URL and the schedule', () => {
  const base = { AWS_DISCOVERY_REGIONS: 'us-east-1', POSTGRESQL_DATABASE: 'g', POSTGRESQL_USERNAME: 'u', POSTGRESQL_PASSWORD: 'p' };
  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/guacamole-ec2-events';

  it('is off by default, with the schedule every minute', () => {
    const { config } = parseConfig(base);
    expect(config).not.to.have.property('eventsQueue');
    expect(config.schedule).to.equal('* * * * *');
  });

  it('takes a valid queue (trimmed), and then runs full listings hourly unless AWS_DISCOVERY_SCHEDULE says otherwise', () => {
    const { config } = parseConfig({ ...base, AWS_DISCOVERY_EVENTS_QUEUE_URL: ` ${queueUrl} ` });
    expect(config.eventsQueue).to.deep.equal({ url: queueUrl, region: 'eu-west-1', accountId: '123456789012', name: 'guacamole-ec2-events' });
    expect(config.schedule).to.equal(EVENTS_SCHEDULE);
    const scheduled = parseConfig({ ...base, AWS_DISCOVERY_EVENTS_QUEUE_URL: queueUrl, AWS_DISCOVERY_SCHEDULE: '*/5 * * * *' });
    expect(scheduled.config.schedule).to.equal('*/5 * * * *');
    expect(parseConfig({ ...base, AWS_DISCOVERY_EVENTS_QUEUE_URL: '' }).config.schedule).to.equal('* * * * *');
  });

  it('tolerates one failed hourly listing in /healthz: AWS_DISCOVERY_HEALTH_MAX_AGE defaults to two hours with the hourly default', () => {
    const events = { ...base, AWS_DISCOVERY_EVENTS_QUEUE_URL: queueUrl };
    expect(parseConfig(base).config.healthMaxAgeSeconds).to.equal(600);
    expect(parseConfig(events).config.healthMaxAgeSeconds).to.equal(EVENT_MODE_HEALTH_MAX_AGE);
    expect(parseConfig({ ...events, AWS_DISCOVERY_SCHEDULE: '*/5 * * * *' }).config.healthMaxAgeSeconds).to.equal(600);
    expect(parseConfig({ ...events, AWS_DISCOVERY_HEALTH_MAX_AGE: '900' }).config.healthMaxAgeSeconds).to.equal(900);
    // status reads the same default without checking the queue URL itself.
    const database = { POSTGRESQL_DATABASE: 'g', POSTGRESQL_USERNAME: 'u', POSTGRESQL_PASSWORD: 'p' };
    const status = parseStatusConfig({ ...database, AWS_DISCOVERY_EVENTS_QUEUE_URL: 'not a url' });
    expect(status.config.healthMaxAgeSeconds).to.equal(EVENT_MODE_HEALTH_MAX_AGE);
    expect(problemsOf(() => parseConfig({ ...events, AWS_DISCOVERY_HEALTH_MAX_AGE: '5' }))[0]).to.match(/^AWS_DISCOVERY_HEALTH_MAX_AGE: expected/);
  });

  it('names the setting in a problem, alongside a bad schedule', () => {
    try {
      parseConfig({ ...base, AWS_DISCOVERY_EVENTS_QUEUE_URL: 'events', AWS_DISCOVERY_SCHEDULE: 'hourly' });
      expect.fail('expected a ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).to.have.length(2);
      expect(problems[0]).to.match(/^AWS_DISCOVERY_EVENTS_QUEUE_URL: not a URL/);
      expect(problems[1]).to.match(/^AWS_DISCOVERY_SCHEDULE: not a cron expression/);
    }
  });
});
