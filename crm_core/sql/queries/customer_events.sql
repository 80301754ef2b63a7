-- The customer's timeline up to the as-of date, newest first (see marts/customer_timeline.sql
-- for the events each raw table contributes).
select
    customer_id,
    event_at,
    source,
    kind,
    channel,
    reference_id,
    amount,
    case
        when kind not in ('inquiry', 'complaint') then status
        when resolved_at < $as_of_end then 'resolved'
        else 'unresolved'
    end as status,
    topic,
    rating,
    detail,
    event_count
from customer_timeline
where customer_id = $customer_id
    and event_at < $as_of_end
order by event_at desc, source, kind, reference_id
