-- held-out customers with a send, delivery, open or click: the holdout must not be contacted
select campaign_id, customer_id
from campaign_sends
where is_holdout
    and (sent_at is not null or delivered_at is not null or opened_at is not null or clicked_at is not null)
